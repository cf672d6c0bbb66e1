"""State handlers exercised without a browser: a real database, a real session cookie."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import HeaderData, ReflexURL, RouterData

from portal.services.accounts.auth import SESSION_COOKIE, sign_in, sign_out
from portal.state.asset import AssetState
from portal.state.bell import BellState
from portal.state.dashboard import DashboardState
from portal.state.login import LoginState
from portal.state.session import SessionState
from tests.factories import PASSWORD, make_graph

pytestmark = pytest.mark.usefixtures("database")


def make_state(cls: type[rx.State], *, cookie: str = "", url: str = "http://localhost:3000/"):
    """A state instance as the server would hold it for one browser tab."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData(headers=HeaderData(cookie=cookie), url=ReflexURL(url))
    return root.get_substate(cls.get_full_name().split("."))


def redirect_target(event) -> str | None:
    if event is None or event.handler.fn.__qualname__ != "_redirect":
        return None
    return {k._js_expr: v._var_value for k, v in event.args}["path"]


def signed_in_cookie(email: str) -> str:
    return f"{SESSION_COOKIE}={sign_in(email=email, password=PASSWORD).token}"


def test_dashboard_load_lists_only_own_tenant_projects() -> None:
    mine, theirs = make_graph(), make_graph()
    state = make_state(DashboardState, cookie=signed_in_cookie(mine.user.email))
    state.load()
    assert [p.title for p in state.projects] == [mine.project.title]
    assert theirs.project.title not in {p.title for p in state.projects}
    assert state.loaded and state.error == "" and not state.show_tenant


def test_dashboard_load_without_session_shows_nothing() -> None:
    make_graph()
    state = make_state(DashboardState, cookie="other=1")
    state.load()
    assert state.projects == [] and not state.loaded
    assert "sign in again" in state.error


def test_load_session_redirects_to_sign_in_with_return_path() -> None:
    state = make_state(SessionState, url="http://localhost:3000/")
    assert redirect_target(state.load_session()) == "/login?next=/"
    assert state.role == ""


ASKED = "http://localhost:3000/asset?id=0193&compare=0194"
BACK_TO_ASKED = "/login?next=/asset%3Fid%3D0193%26compare%3D0194"


def test_first_visit_to_a_deep_link_signs_in_and_returns_without_session_message() -> None:
    state = make_state(SessionState, url=ASKED)
    assert redirect_target(state.load_session()) == BACK_TO_ASKED


def test_ended_session_says_so_and_returns_to_the_page() -> None:
    g = make_graph()
    token = sign_in(email=g.user.email, password=PASSWORD).token
    sign_out(token=token)
    state = make_state(SessionState, cookie=f"{SESSION_COOKIE}={token}", url=ASKED)
    assert redirect_target(state.load_session()) == "/login?error=session&" + BACK_TO_ASKED[7:]


def test_every_on_load_handler_sends_a_visitor_to_the_same_sign_in_address() -> None:
    """The page's other handlers fail without a session too: their answer must not replace
    the return path (the last redirect wins in the browser)."""
    bare, ended = "", f"{SESSION_COOKIE}=gone"
    for cookie in (bare, ended):
        expected = redirect_target(
            make_state(SessionState, cookie=cookie, url=ASKED).load_session()
        )
        assert ("error=session" in expected) == bool(cookie) and expected.endswith("0194")
        asset = make_state(AssetState, cookie=cookie, url=ASKED)
        assert redirect_target(asset.review("approved")) == expected
        bell = make_state(BellState, cookie=cookie, url=ASKED)
        assert redirect_target(bell.start()) == expected


def test_load_session_fills_header_and_nav() -> None:
    g = make_graph()
    state = make_state(SessionState, cookie=signed_in_cookie(g.user.email))
    assert state.load_session() is None
    assert state.tenant_name == g.tenant.name and state.role == "agency"
    assert ("Dashboard", "/") in [(i.label, i.href) for i in state.nav_items]


def test_malformed_cookie_header_is_not_an_error() -> None:
    state = make_state(SessionState, cookie='portal_session="unterminated; ;;=')
    assert redirect_target(state.load_session()).startswith("/login")


def test_login_page_maps_codes_to_fixed_messages() -> None:
    state = make_state(LoginState, url="http://localhost:3000/login?error=credentials&next=//evil")
    state.load()
    assert state.error == "That email and password do not match an active account."
    assert state.next_path == "/"
    probe = make_state(LoginState, url="http://localhost:3000/login?error=%3Cscript%3E")
    probe.load()
    assert (
        "<script>" not in probe.error and probe.error == "Something went wrong. Please try again."
    )


def test_no_secret_reaches_client_state() -> None:
    g = make_graph()
    token = sign_in(email=g.user.email, password=PASSWORD).token
    state = make_state(DashboardState, cookie=f"{SESSION_COOKIE}={token}")
    state.load_session()
    state.load()
    client_view = repr(state.dict())
    assert token not in client_view
    assert "argon2" not in client_view and "password" not in client_view
