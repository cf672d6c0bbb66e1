"""Issue 18 at the state level: a warm page's event checks its session with one statement, and
sign-out, revoke, deactivation and a role change show on that page's very next event."""

from __future__ import annotations

import pytest

from portal.services.accounts import session_check
from portal.services.accounts.auth import SESSION_COOKIE, sign_in, sign_out
from portal.services.accounts.users import change_role, set_active
from portal.services.core.errors import PermissionDenied
from portal.state.account import AccountState
from portal.state.session import SessionState
from tests.factories import PASSWORD, make_studio, session_of
from tests.services.accounts.test_session_check import Counted, FakeClock, orm_statements
from tests.state.test_state import make_state, redirect_target

pytestmark = pytest.mark.usefixtures("database")

USERS_PAGE = "http://localhost:3000/admin/users"


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    """The app's session cache, on a clock the test moves and connections that count."""
    counting = Counted()
    monkeypatch.setattr(session_check, "SESSIONS", session_check.SessionCache())
    monkeypatch.setattr(session_check.SESSIONS, "connect", counting)
    monkeypatch.setattr(session_check.SESSIONS, "clock", FakeClock())
    # The state module holds its own reference: point it at the same instance.
    monkeypatch.setattr("portal.state.session.SESSIONS", session_check.SESSIONS)
    return counting


def cookie(token: str) -> str:
    return f"{SESSION_COOKIE}={token}"


def test_a_warm_page_load_is_one_statement_with_branding(counted: Counted) -> None:
    s = make_studio()
    state = make_state(
        SessionState, cookie=cookie(sign_in(email=s.member.email, password=PASSWORD).token)
    )
    assert state.load_session() is None  # cold: still one statement
    with orm_statements() as orm:
        for _ in range(3):
            assert state.load_session() is None
    assert len(counted.statements) == 4 and orm == []
    assert state.role == "agency" and state.accent_color.startswith("#")


def test_sign_out_ends_a_warm_page_on_its_next_event(counted: Counted) -> None:
    s = make_studio()
    token = sign_in(email=s.member.email, password=PASSWORD).token
    state = make_state(SessionState, cookie=cookie(token))
    assert state.load_session() is None
    sign_out(token=token)
    assert redirect_target(state.load_session()).startswith("/login?error=session")
    assert state.role == ""


def test_revoking_a_session_from_another_ends_the_warm_page(counted: Counted) -> None:
    s = make_studio()
    laptop = sign_in(email=s.member.email, password=PASSWORD).token
    phone = make_state(
        AccountState, cookie=cookie(sign_in(email=s.member.email, password=PASSWORD).token)
    )
    page = make_state(AccountState, cookie=cookie(laptop))
    page.load()
    assert page.sessions
    laptop_id = page._current_user().session_id
    phone.load()
    phone.revoke(str(laptop_id))
    assert phone.sessions_error == ""
    assert redirect_target(page.save_name({"name": "Still here?"})).startswith("/login")


def test_deactivation_ends_a_warm_page_on_its_next_event(counted: Counted) -> None:
    s = make_studio()
    state = make_state(
        SessionState, cookie=cookie(sign_in(email=s.member.email, password=PASSWORD).token)
    )
    assert state.load_session() is None
    set_active(user=session_of(s.admin), user_id=str(s.member.id), active=False)
    assert redirect_target(state.load_session()).startswith("/login?error=session")


def test_role_change_shows_on_the_next_event(counted: Counted) -> None:
    s = make_studio()
    admin = session_of(s.admin)
    token = sign_in(email=s.member.email, password=PASSWORD).token
    state = make_state(SessionState, cookie=cookie(token), url=USERS_PAGE)
    with pytest.raises(PermissionDenied):
        state._require_user(roles=("admin",))
    change_role(user=admin, user_id=str(s.member.id), role="admin")
    assert state._require_user(roles=("admin",)).role == "admin"
    assert state.load_session() is None and state.role == "admin"
    change_role(user=admin, user_id=str(s.member.id), role="agency")
    with pytest.raises(PermissionDenied):
        state._require_user(roles=("admin",))
    assert redirect_target(state.load_session()) == "/"  # the admin page is no longer theirs
