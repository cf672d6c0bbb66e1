"""The Reflex app: HTTP routes (portal.api) and every page under portal/pages."""

import reflex as rx

from portal.api import build_api
from portal.api._worker import with_worker_header
from portal.jobs.worker import inprocess_worker
from portal.pages import add_pages

# Our routes first, then the whole backend wrapped so every response names its worker.
app = rx.App(api_transformer=[build_api(), with_worker_header])
add_pages(app)
# Each app process runs a job worker unless PORTAL_INPROCESS_WORKER=false.
app.register_lifespan_task(inprocess_worker)
