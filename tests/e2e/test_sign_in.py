"""Signing in through the real page and seeing the tenant's projects (and nothing else)."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_graph


@pytest.fixture(scope="module")
def tenants():
    return make_graph(), make_graph()


def open_login(page, app_url: str) -> None:
    page.goto(f"{app_url}/")
    page.wait_for_url("**/login**")
    page.wait_for_selector("#sign-in")
    # Let the socket connect and the page hydrate before typing.
    page.wait_for_load_state("networkidle")


def sign_in(page, email: str, password: str) -> None:
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#sign-in")


def test_sign_in_shows_own_projects_only(page, app_url: str, tenants) -> None:
    mine, theirs = tenants
    open_login(page, app_url)
    sign_in(page, mine.user.email, PASSWORD)
    page.wait_for_selector(".project-row")
    table = page.inner_text("#projects")
    assert mine.project.title in table
    assert theirs.project.title not in table
    assert page.inner_text("#tenant-name") == mine.tenant.name
    # The session cookie is HttpOnly: page scripts cannot read it.
    assert page.evaluate("document.cookie") == ""
    assert any(c["name"] == "portal_session" and c["httpOnly"] for c in page.context.cookies())


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", "", "Enter your email and password."),
        (
            "nobody@example.test",
            PASSWORD,
            "That email and password do not match an active account.",
        ),
        (None, "wrong-password", "That email and password do not match an active account."),
    ],
)
def test_bad_sign_in_shows_a_clear_message(
    page, app_url, tenants, email, password, message
) -> None:
    open_login(page, app_url)
    sign_in(page, tenants[0].user.email if email is None else email, password)
    page.wait_for_selector("#login-error")
    assert page.inner_text("#login-error").strip() == message
    assert "/login" in page.url


def test_sign_out_ends_the_session(page, app_url, tenants) -> None:
    open_login(page, app_url)
    sign_in(page, tenants[1].user.email, PASSWORD)
    page.wait_for_selector(".project-row")
    page.click("#sign-out")
    page.wait_for_selector("#login-notice")
    page.goto(f"{app_url}/")
    page.wait_for_url("**/login**")
