"""HTTP routes mounted in front of Reflex through `rx.App(api_transformer=around)`.

Each module under portal/api exposes `ROUTES`; add a module here to mount it.
"""

from starlette.applications import Starlette
from starlette.types import ASGIApp

from portal.api import (
    accounts,
    audit,
    auth,
    branding,
    client_files,
    evidence,
    exports,
    health,
    media,
    notifications,
    share,
    tus,
    upload_requests,
    v1,
    webhooks,
)
from portal.api._headers import with_security_headers
from portal.api._limits import guard_uploads
from portal.api._worker import with_worker_header

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
    tus,
    client_files,
    upload_requests,
    exports,
    audit,
    evidence,
    notifications,
    v1,
)


def build_api() -> Starlette:
    """The Starlette app whose routes match before Reflex's own."""
    return Starlette(routes=[route for module in MODULES for route in module.ROUTES])


def around(backend: ASGIApp) -> ASGIApp:
    """Reflex's whole backend (pages, static build, /_upload, the event socket) behind our routes,
    with the upload guard, security headers and worker header on everything."""
    api = build_api()
    api.mount("", backend)
    return with_worker_header(with_security_headers(guard_uploads(api)))
