"""The Reflex app: HTTP routes (portal.api) and every page under portal/pages."""

import reflex as rx

from portal.api import around
from portal.jobs.worker import inprocess_worker
from portal.pages import add_pages

# Our routes first, then Reflex's; the whole backend wrapped (upload guard, security headers,
# worker header): see portal.api.around.
app = rx.App(api_transformer=around)
add_pages(app)
# Each app process runs a job worker unless PORTAL_INPROCESS_WORKER=false.
app.register_lifespan_task(inprocess_worker)
