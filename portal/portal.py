"""The Reflex app: HTTP routes (portal.api) and every page under portal/pages."""

import reflex as rx

from portal.api import around
from portal.components.layout import APP_STYLE
from portal.db import async_pool_lifespan
from portal.jobs.worker import inprocess_worker
from portal.pages import add_pages
from portal.state.identity import IdentityMiddleware

# Our routes first, then Reflex's; the whole backend wrapped (upload guard, security headers,
# worker header): see portal.api.around. APP_STYLE: tables on a phone (components/layout.py).
# The tab's icon is the portal's mark (assets/favicon.svg) on every page.
app = rx.App(
    api_transformer=around,
    style=APP_STYLE,
    head_components=[rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml")],
)
add_pages(app)
# Before every event: a tab whose session changed gets its states reset (sign-out, new user).
app.add_middleware(IdentityMiddleware(), index=0)
# Each app process runs a job worker unless PORTAL_INPROCESS_WORKER=false.
app.register_lifespan_task(inprocess_worker)
# The loop's async database pool closes with the app (see portal.db.close_async_pool).
app.register_lifespan_task(async_pool_lifespan)
