"""HTTP routes mounted in front of Reflex through `rx.App(api_transformer=...)`."""

from starlette.applications import Starlette
from starlette.routing import Route

from portal import routes
from portal.api import auth, health, webhooks


def build_api() -> Starlette:
    """The Starlette app whose routes match before Reflex's own."""
    return Starlette(
        routes=[
            Route(routes.API_LOGIN, auth.login, methods=["POST"]),
            Route(routes.API_LOGOUT, auth.logout, methods=["POST"]),
            Route(routes.HEALTHZ, health.healthz, methods=["GET"]),
            *webhooks.ROUTES,
        ]
    )
