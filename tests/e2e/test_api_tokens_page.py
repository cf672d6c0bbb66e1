"""/account/tokens in a browser, on a desktop (1440×900) and a phone (390×844): create a token
with scopes and an expiry, read it once, copy it, see it listed, revoke it (it stops working);
an agency admin sees and revokes a member's token."""

from __future__ import annotations

import pytest

from portal.services.accounts import api_tokens
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_graph, make_user

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
FITS = "() => document.documentElement.scrollWidth - window.innerWidth"


def _signed_in(browser, app_url: str, email: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    open_login(page, app_url)
    sign_in(page, email, PASSWORD)
    page.wait_for_selector(".project-row")
    page.goto(f"{app_url}/account/tokens")
    page.wait_for_selector("#token-create")
    page.wait_for_load_state("networkidle")
    return context, page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_create_copy_list_and_revoke_a_token(browser, app_url: str, viewport: dict) -> None:
    g = make_graph()
    context, page = _signed_in(browser, app_url, g.user.email, viewport)
    try:
        assert page.locator("#tokens-empty").is_visible()
        page.fill("#field-name", "Edit suite sync")
        page.select_option("#field-scope_projects", "read")
        page.select_option("#field-scope_reviews", "write")
        page.select_option("#field-expires_days", "30")
        page.click("#token-create")
        shown = page.locator("#token-new")
        shown.wait_for()
        token = shown.inner_text().strip()
        assert token.startswith("mmp_")
        assert "shown only once" in page.inner_text("body")
        page.click("#token-copy")
        assert page.evaluate("navigator.clipboard.readText()") == token
        row = page.locator(".token-row")
        row.wait_for()
        text = row.inner_text()
        assert "Edit suite sync" in text and "projects (read)" in text and "reviews (write)" in text
        assert token not in text and token[:10] in text
        assert page.evaluate(FITS) <= 0, "the page scrolls sideways"

        principal = api_tokens.check_token(token, limit=1000)
        assert principal is not None and principal.allows("reviews", write=True)
        assert not principal.allows("projects", write=True)

        # Leaving and coming back: the token is never shown again.
        page.reload()
        page.wait_for_selector(".token-row")
        page.locator("#token-new").wait_for(state="detached")
        assert token not in page.content()

        page.click(".token-revoke")
        page.wait_for_selector("#token-notice")
        assert "revoked" in page.inner_text("#token-notice")
        page.wait_for_selector("#tokens-empty")
        assert api_tokens.check_token(token, limit=1000) is None
    finally:
        context.close()


def test_bad_input_is_a_message_and_admins_revoke_members_tokens(browser, app_url: str) -> None:
    g = make_graph()
    admin = make_user(tenant=g.tenant, role="admin")
    member_token = api_tokens.create_token(
        user=_session(g.user), name="Member's tracker", scopes=["projects:read"]
    )
    context, page = _signed_in(browser, app_url, admin.email, DESKTOP)
    try:
        page.wait_for_selector(".token-row")
        assert "Member's tracker" in page.inner_text(".token-row")
        page.click("#token-create")  # no name, no scope
        page.wait_for_selector("#token-error")
        assert "Name is required" in page.inner_text("#token-error")
        page.fill("#field-name", "No scopes")
        page.click("#token-create")
        page.wait_for_function(
            "document.querySelector('#token-error').innerText.includes('at least one')"
        )
        page.click(".token-revoke")
        page.wait_for_selector("#tokens-empty")
        assert api_tokens.check_token(member_token.token, limit=1000) is None
    finally:
        context.close()


def _session(user):
    from tests.factories import session_of

    return session_of(user)
