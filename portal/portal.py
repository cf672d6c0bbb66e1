"""The Reflex app: HTTP routes (portal.api) and every page under portal/pages."""

import reflex as rx

from portal.api import build_api
from portal.pages import add_pages

app = rx.App(api_transformer=build_api())
add_pages(app)
