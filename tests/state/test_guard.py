"""`guard`, the one check of every state handler: who may run it, one session check per event,
domain errors as the page's message, anything else logged and calm, busy flags always reset,
and sign-out, revoke, deactivation and a role change refused on the very next event."""

from __future__ import annotations

import logging

import pytest
import reflex as rx

from portal.services.accounts import session_check
from portal.services.accounts.auth import sign_in, sign_out
from portal.services.accounts.self_service import list_sessions, revoke_session
from portal.services.accounts.users import change_role, set_active
from portal.services.core.errors import InvalidInput
from portal.services.core.permissions import Action
from portal.state.admin import UsersState
from portal.state.session import UNEXPECTED, SessionState, guard
from tests.aio import run
from tests.factories import PASSWORD, make_studio, make_user, session_of
from tests.services.accounts.test_session_check import Counted, FakeClock
from tests.state.test_state import make_state, redirect_target

pytestmark = pytest.mark.usefixtures("database")


class GuardProbeState(SessionState):
    """Handlers that exercise each path of the guard."""

    error: str = ""
    done: int = 0
    working: bool = False
    shown: list[str] = []

    @rx.event
    @guard(roles=("admin",), clear=("shown",))
    def admin_only(self) -> None:
        self._require_user(("admin",))  # the event's check: no second statement
        self.shown = ["secret"]
        self.done += 1

    @rx.event
    @guard(action=Action.OPERATE)
    def operate(self) -> None:
        self.done += 1

    @rx.event
    @guard()
    def refused_input(self) -> None:
        raise InvalidInput("That date is not valid.")

    @rx.event
    @guard(clear=("shown",))
    def broken(self) -> None:
        self.shown = ["half"]
        raise RuntimeError("bug with token-like secret-abc")

    @rx.event
    @guard()
    def nested(self) -> None:
        with self._db():
            pass
        self.admin_only_or_not()

    def admin_only_or_not(self) -> None:
        self._require_user()
        self.done += 1

    @rx.event(background=True)
    @guard(busy="working")
    async def slow_failure(self) -> None:
        async with self:
            assert self.working
        raise InvalidInput("The reports could not be written.")

    @rx.event(background=True)
    @guard(busy="working")
    async def slow_crash(self) -> None:
        raise OSError("disk on fire")

    @rx.event(background=True)
    @guard(busy="working")
    async def slow_success(self) -> None:
        async with self:
            self.done += 1


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> Counted:
    """The app's session cache on connections that count every statement."""
    counting = Counted()
    monkeypatch.setattr(session_check, "SESSIONS", session_check.SessionCache())
    monkeypatch.setattr(session_check.SESSIONS, "connect", counting)
    monkeypatch.setattr(session_check.SESSIONS, "clock", FakeClock())
    monkeypatch.setattr("portal.state.session.SESSIONS", session_check.SESSIONS)
    return counting


def probe(email: str | None = None) -> GuardProbeState:
    cookie = ""
    if email:
        cookie = f"portal_session={sign_in(email=email, password=PASSWORD).token}"
    return make_state(GuardProbeState, cookie=cookie, url="http://localhost:3000/admin/users")


def test_the_right_role_runs_with_one_session_check_per_event(counted: Counted) -> None:
    s = make_studio()
    state = probe(s.admin.email)
    state.admin_only()
    state.nested()
    assert state.done == 2 and state.error == "" and state.shown == ["secret"]
    assert len(counted.statements) == 2  # one per event, whatever the handler calls


def test_a_wrong_role_or_action_is_refused_with_a_message() -> None:
    s = make_studio()
    state = probe(s.member.email)
    assert state.admin_only() is None
    assert state.error == "You do not have permission to do that." and state.done == 0
    assert state.shown == []
    state.error = ""
    # An agency's admin has the role but may not operate the studio's systems.
    agency_admin = probe(make_user(tenant=s.agency, role="admin").email)
    agency_admin.operate()
    assert agency_admin.error == "You do not have permission to do that."
    assert agency_admin.done == 0


def test_no_session_is_sent_to_sign_in_with_the_message() -> None:
    state = probe()
    assert redirect_target(state.admin_only()).startswith("/login?next=/admin/users")
    assert "sign in again" in state.error and state.done == 0


def test_a_domain_error_becomes_the_message_and_the_next_success_clears_it() -> None:
    s = make_studio()
    state = probe(s.member.email)
    assert state.refused_input() is None
    assert state.error == "That date is not valid."
    state.nested()
    assert state.error == "" and state.done == 1


def test_an_unexpected_error_is_logged_with_context_and_shown_calmly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    s = make_studio()
    state = probe(s.member.email)
    with caplog.at_level(logging.ERROR, logger="portal.state.session"):
        assert state.broken() is None
    assert state.error == UNEXPECTED and state.shown == []
    [record] = caplog.records
    assert "GuardProbeState.broken failed" in record.getMessage()
    assert str(s.member.id) in record.getMessage() and "/admin/users" in record.getMessage()
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)
    assert "portal_session" not in record.getMessage()


def test_background_handlers_never_leave_the_busy_flag_set() -> None:
    s = make_studio()
    state = probe(s.member.email)
    handlers = GuardProbeState.event_handlers
    run(handlers["slow_failure"].fn(state))
    assert not state.working and state.error == "The reports could not be written."
    run(handlers["slow_crash"].fn(state))
    assert not state.working and state.error == UNEXPECTED
    run(handlers["slow_success"].fn(state))
    assert not state.working and state.error == "" and state.done == 1
    refused = probe()
    run(handlers["slow_success"].fn(refused))
    assert not refused.working and refused.done == 0 and "sign in" in refused.error


def test_sign_out_revoke_deactivation_and_role_change_refuse_the_next_event(
    counted: Counted,
) -> None:
    s = make_studio()
    studio_admin = session_of(s.admin)
    # Sign-out.
    token = sign_in(email=s.admin.email, password=PASSWORD).token
    state = make_state(UsersState, cookie=f"portal_session={token}", url="http://x/admin/users")
    state.load()
    assert state.users and state.error == ""
    sign_out(token=token)
    assert redirect_target(state.filter_tenant("all")).startswith("/login?error=session")
    assert "sign in again" in state.error
    # Revoked from another browser.
    state = probe(s.admin.email)
    state.admin_only()
    [mine, *_] = [v for v in list_sessions(user=studio_admin) if not v.current]
    revoke_session(user=studio_admin, session_id=mine.id)
    assert redirect_target(state.admin_only()) is not None and state.done == 1
    # A role change, both ways.
    member = probe(s.member.email)
    member.admin_only()
    assert "permission" in member.error
    change_role(user=studio_admin, user_id=str(s.member.id), role="admin")
    member.admin_only()
    assert member.error == "" and member.done == 1
    change_role(user=studio_admin, user_id=str(s.member.id), role="agency")
    member.admin_only()
    assert "permission" in member.error and member.done == 1
    # Deactivation.
    set_active(user=studio_admin, user_id=str(s.member.id), active=False)
    assert redirect_target(member.nested()).startswith("/login?error=session")
    assert member.done == 1
