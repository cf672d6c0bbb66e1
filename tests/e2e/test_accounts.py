"""Accounts in the browser: invitation to dashboard, revoked sessions, what the browser receives."""

from __future__ import annotations

import re

from portal.services.accounts.auth import resolve_session
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_graph, make_tenant, make_user
from tests.services.accounts.test_accounts import NEW_PASSWORD, last_link


def watch_socket(page) -> list[str]:
    """Every websocket frame the page receives (the whole client-visible state)."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(str(data))))
    return frames


def test_invite_accept_sign_in_sees_own_tenant_only(page, app_url) -> None:
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    mine, theirs = make_graph(managed_by=studio), make_graph(managed_by=studio)
    email = f"invitee.{mine.tenant.id.hex}@example.test"

    open_login(page, app_url)
    sign_in(page, admin.email, PASSWORD)
    page.wait_for_selector(".project-row")
    page.goto(f"{app_url}/admin/users?tenant={mine.tenant.id}")
    page.wait_for_selector(".user-row")
    page.fill("#email", email)
    page.fill("#name", "Ivy Invitee")
    page.click("#invite-user")
    page.wait_for_selector("#users-notice, #users-error")
    assert page.locator("#users-error").count() == 0, page.inner_text("#users-error")
    page.click("#sign-out")
    page.wait_for_selector("#login-notice")

    page.goto(f"{app_url}/invite?token={last_link(email, '/invite')}")
    page.wait_for_selector("#accept-invite")
    page.wait_for_load_state("networkidle")
    assert mine.tenant.name in page.inner_text("form")
    page.fill("#name", "Ivy Invitee")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("#accept-invite")
    page.wait_for_selector(".project-row")
    assert page.inner_text("#tenant-name") == mine.tenant.name
    table = page.inner_text("#projects")
    assert mine.project.title in table and theirs.project.title not in table

    page.click("#sign-out")
    page.wait_for_selector("#login-notice")
    open_login(page, app_url)
    sign_in(page, email, NEW_PASSWORD)
    page.wait_for_selector(".project-row")
    assert theirs.project.title not in page.inner_text("#projects")


def test_revoked_session_loses_access_on_next_event(browser, app_url) -> None:
    g = make_graph()
    first, second = browser.new_context(), browser.new_context()
    try:
        old, new = first.new_page(), second.new_page()
        for tab in (old, new):
            open_login(tab, app_url)
            sign_in(tab, g.user.email, PASSWORD)
            tab.wait_for_selector(".project-row")
        old.goto(f"{app_url}/account")
        old.wait_for_selector(".session-row")
        new.goto(f"{app_url}/account")
        new.wait_for_selector(".revoke-session")
        new.click(".revoke-session")
        new.wait_for_function("document.querySelectorAll('.session-row').length === 1")
        # The revoked tab is still open; its next event finds the session gone.
        old.click("#save-name")
        old.wait_for_url("**/login**")
        assert "session has ended" in old.inner_text("#login-error")
    finally:
        first.close()
        second.close()


def test_browser_never_receives_tokens_or_hashes(page, app_url) -> None:
    g = make_graph()
    frames = watch_socket(page)
    open_login(page, app_url)
    sign_in(page, g.user.email, PASSWORD)
    page.wait_for_selector(".project-row")
    page.goto(f"{app_url}/account")
    page.wait_for_selector(".session-row")
    page.wait_for_load_state("networkidle")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "portal_session")
    assert resolve_session(token) is not None
    received = "\n".join(frames)
    assert g.user.email in received  # the frames were captured
    assert token not in received
    assert "$argon2" not in received and not re.search(r"\b[0-9a-f]{64}\b", received)
    assert page.evaluate("document.cookie") == ""
