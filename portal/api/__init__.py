"""HTTP routes mounted in front of Reflex through `rx.App(api_transformer=...)`.

Each module under portal/api exposes `ROUTES`; add a module here to mount it.
"""

from starlette.applications import Starlette

from portal.api import (
    accounts,
    audit,
    auth,
    branding,
    evidence,
    health,
    media,
    notifications,
    share,
    webhooks,
)

# Routes match in this order; none overlap, so the hottest paths come first (the share-link
# open, then webhook ingest).
MODULES = (
    share,
    webhooks,
    auth,
    accounts,
    branding,
    health,
    media,
    audit,
    evidence,
    notifications,
)


def build_api() -> Starlette:
    """The Starlette app whose routes match before Reflex's own."""
    return Starlette(routes=[route for module in MODULES for route in module.ROUTES])
