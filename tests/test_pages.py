"""The page decorator: a decorated page is discovered and added to the app with its roles."""

from __future__ import annotations

import reflex as rx

from portal.pages import PAGES, add_pages, discover, page
from portal.pages.registry import nav_entries, required_roles


def test_decorated_page_appears_in_the_app() -> None:
    @page(route="/test-reports", title="Reports", nav="Reports", roles=("admin",), order=50)
    def reports() -> rx.Component:
        return rx.text("reports")

    try:
        app = rx.App()
        add_pages(app)
        assert "test-reports" in app._unevaluated_pages
        assert "login" in app._unevaluated_pages and "index" in app._unevaluated_pages
        assert ("Reports", "/test-reports") in nav_entries("admin")
        assert ("Reports", "/test-reports") not in nav_entries("agency")
        assert required_roles("/test-reports") == ("admin",)
    finally:
        PAGES.pop("/test-reports")


def test_shipped_pages_are_registered() -> None:
    pages = discover()
    assert pages["/login"].public
    assert set(pages["/"].roles) == {"admin", "agency"}
    assert required_roles("/nowhere") == ()
