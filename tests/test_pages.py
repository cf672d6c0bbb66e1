"""The page decorator: a decorated page is discovered and added to the app with its roles."""

from __future__ import annotations

import reflex as rx
from reflex_base.registry import RegistrationContext

from portal.navigation import nav_entries, page_for
from portal.pages import PAGES, add_pages, discover, page
from portal.services.core.permissions import Action


class Who:
    def __init__(self, role: str, tenant_type: str) -> None:
        self.role, self.tenant_type = role, tenant_type


STUDIO_ADMIN, AGENCY_ADMIN, MEMBER = (
    Who("admin", "admin"),
    Who("admin", "agency"),
    Who("agency", "agency"),
)


def test_decorated_page_appears_in_the_app() -> None:
    @page(route="/test-reports", title="Reports", nav="Reports", roles=("admin",), order=50)
    def reports() -> rx.Component:
        return rx.text("reports")

    try:
        # Another test may already have made an App in this process: build this one in a fork.
        with RegistrationContext.ensure_context().fork():
            app = rx.App()
            add_pages(app)
        assert "test-reports" in app._unevaluated_pages
        assert "login" in app._unevaluated_pages and "index" in app._unevaluated_pages
        assert ("Reports", "/test-reports") in nav_entries(STUDIO_ADMIN)
        assert ("Reports", "/test-reports") in nav_entries(AGENCY_ADMIN)
        assert ("Reports", "/test-reports") not in nav_entries(MEMBER)
        assert page_for("/test-reports").roles == ("admin",)
    finally:
        PAGES.pop("/test-reports")


def test_shipped_pages_are_registered() -> None:
    pages = discover()
    assert pages["/login"].public
    assert set(pages["/"].roles) == {"admin", "agency"}
    assert page_for("/nowhere") is None


def test_page_action_limits_navigation() -> None:
    @page(route="/test-ops", title="Ops", nav="Ops", roles=("admin",), action=Action.OPERATE)
    def ops() -> rx.Component:
        return rx.text("ops")

    try:
        assert ("Ops", "/test-ops") in nav_entries(STUDIO_ADMIN)
        assert ("Ops", "/test-ops") not in nav_entries(AGENCY_ADMIN)
    finally:
        PAGES.pop("/test-ops")
