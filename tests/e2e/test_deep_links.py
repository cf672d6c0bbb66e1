"""Deep links survive sign-in (issue 20.2): a first-time visitor opening an asset page is asked
to sign in (no "session has ended") and lands on that asset; a browser whose session was revoked
is told so and comes back to the filtered project list; a magic link requested from the
sign-in page opens the page asked for."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from portal import routes
from portal.db import tenant_session
from portal.models import OutboxEmail
from portal.services.accounts.auth import SESSION_COOKIE, sign_out
from tests.e2e.test_sign_in import sign_in
from tests.factories import PASSWORD, make_studio
from tests.share_support import ready_asset


def emailed_link(email: str, path: str) -> str:
    """The whole link in the newest email to `email` (as the recipient would click it)."""
    with tenant_session(None) as session:
        body = session.scalar(
            select(OutboxEmail.text_body)
            .where(OutboxEmail.to_address == email)
            .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        )
    match = re.search(r"https?://\S*" + re.escape(path) + r"\?\S+", body or "")
    assert match, body
    return match.group(0)


def lands_on(page, asked: str) -> None:
    """Wait until the browser shows `asked` (the static server may add a slash to the path)."""
    want = urlsplit(asked)
    page.wait_for_url(
        lambda url: (
            urlsplit(url).path.rstrip("/") == want.path.rstrip("/")
            and urlsplit(url).query == want.query
        )
    )


def at_sign_in(page) -> None:
    page.wait_for_url("**/login?**")
    page.wait_for_selector("#sign-in")
    page.wait_for_load_state("networkidle")


def test_first_visit_to_an_asset_signs_in_and_lands_on_it(page, app_url: str) -> None:
    s = make_studio()
    asset = ready_asset(s, title="Harbour teaser")
    asked = app_url + routes.asset_url(str(asset.id))

    page.goto(asked)
    at_sign_in(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert page.get_by_text("session has ended").count() == 0
    assert page.locator("#login-error").count() == 0

    sign_in(page, s.member.email, PASSWORD)
    lands_on(page, asked)
    page.wait_for_function(
        "document.getElementById('page-heading')?.innerText.includes('Harbour teaser')"
    )


def test_a_revoked_session_says_so_and_returns_to_the_list(page, app_url: str) -> None:
    s = make_studio()
    page.goto(f"{app_url}{routes.LOGIN}")
    page.wait_for_selector("#sign-in")
    page.wait_for_load_state("networkidle")
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    token = next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    sign_out(token=token)  # e.g. signed out from another browser

    asked = app_url + routes.projects_url(status="active")
    page.goto(asked)
    at_sign_in(page)
    assert "Your session has ended" in page.inner_text("#login-error")
    sign_in(page, s.member.email, PASSWORD)
    lands_on(page, asked)
    page.wait_for_selector(".project-row")
    assert s.project.title in page.locator(".project-row").first.inner_text()


def test_a_magic_link_opens_the_page_asked_for(page, app_url: str) -> None:
    s = make_studio()
    asked = app_url + routes.project_url(str(s.project.id))
    page.goto(asked)
    at_sign_in(page)
    page.fill("#magic-email", s.member.email)
    page.click("#send-magic")
    page.wait_for_selector("#login-notice")

    page.goto(emailed_link(s.member.email, routes.MAGIC))
    page.wait_for_selector("#magic-continue")
    page.wait_for_load_state("networkidle")
    page.click("#magic-continue")
    lands_on(page, asked)
    page.wait_for_selector("#tasks, #no-tasks")
