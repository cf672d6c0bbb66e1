"""A tab's server-side state never outlives its user: sign-out, another sign-in or an ended
session in the same tab (same client token) resets every page state before anything is sent.

Events go through the app's own preprocessing (`app._preprocess`, as the event processor calls
it before every handler) on one state tree, as the server keeps it for one browser tab."""

from __future__ import annotations

import asyncio
import contextvars
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import reflex as rx
from reflex.istate.data import HeaderData, ReflexURL, RouterData
from reflex_base.event import Event
from reflex_base.utils.format import format_event_handler

from portal.db import tenant_session
from portal.models import OutboxEmail
from portal.portal import app
from portal.services.accounts.auth import sign_out
from portal.state.admin import UsersState
from portal.state.audit import AuditState
from portal.state.dashboard import DashboardState
from portal.state.mailbox import MailboxState
from tests.factories import PASSWORD, make_graph, make_tenant, make_user, unique
from tests.state.test_state import signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")
BASE = "http://localhost:3000"
HYDRATE = format_event_handler(rx.State.event_handlers["hydrate_and_load"])


def run(coroutine):
    """Run a coroutine in a fresh thread with this thread's context (Reflex's registration)."""
    context = contextvars.copy_context()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(context.run, asyncio.run, coroutine).result()


def _admin_tab():
    """A studio admin's tab with the mailbox, users and audit pages loaded."""
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    make_graph(managed_by=studio)
    subject = unique("Invite link for")
    with tenant_session(None) as session:
        session.add(
            OutboxEmail(to_address="x@example.test", subject=subject, text_body="", html_body="")
        )
    cookie = signed_in_cookie(admin.email)
    root = rx.State(_reflex_internal_init=True)
    for cls, path in ((MailboxState, "/dev/mailbox"), (UsersState, "/admin/users")):
        _send(root, cookie, path, cls, "load")
    _send(root, cookie, "/audit", AuditState, "load")
    return root, admin, subject, cookie


def _send(root: rx.State, cookie: str, path: str, cls: type[rx.State], name: str):
    """One event from the tab: router data as the socket reports it, preprocessing, handler."""
    root.router = RouterData(headers=HeaderData(cookie=cookie), url=ReflexURL(f"{BASE}{path}"))
    event = Event(name=format_event_handler(cls.event_handlers[name]))
    assert run(app._preprocess(root, event)) is None
    return getattr(root.get_substate(cls.get_full_name().split(".")), name)()


def _hydrate(root: rx.State, cookie: str, path: str = "/login") -> str:
    """The full snapshot a (re)connecting tab receives, as JSON text."""
    root.router = RouterData(headers=HeaderData(cookie=cookie), url=ReflexURL(f"{BASE}{path}"))
    assert run(app._preprocess(root, Event(name=HYDRATE))) is None
    return json.dumps(root.dict(), default=str)


def test_admin_data_is_loaded_before_any_identity_change() -> None:
    root, admin, subject, cookie = _admin_tab()
    snapshot = _hydrate(root, cookie, "/dev/mailbox")
    assert subject in snapshot and admin.email in snapshot
    assert root.get_substate(AuditState.get_full_name().split(".")).rows


def test_sign_out_then_hydrate_without_cookie_sends_none_of_the_admins_data() -> None:
    root, admin, subject, cookie = _admin_tab()
    sign_out(token=cookie.partition("=")[2])
    snapshot = _hydrate(root, "")
    assert subject not in snapshot and admin.email not in snapshot
    for cls in (MailboxState, UsersState, AuditState):
        state = root.get_substate(cls.get_full_name().split("."))
        assert json.dumps(state.dict(), default=str) == json.dumps(
            cls(_reflex_internal_init=True).dict(), default=str
        )


def test_another_users_event_in_the_same_tab_finds_nothing_of_the_admins() -> None:
    root, admin, subject, _ = _admin_tab()
    producer = make_graph()
    _send(root, signed_in_cookie(producer.user.email), "/", DashboardState, "load")
    snapshot = json.dumps(root.dict(), default=str)
    assert subject not in snapshot and admin.email not in snapshot
    assert root.get_substate(AuditState.get_full_name().split(".")).rows == []
    assert producer.project.title in snapshot


def test_an_ended_session_is_reset_at_the_next_hydrate_even_with_the_cookie() -> None:
    root, admin, subject, cookie = _admin_tab()
    sign_out(token=cookie.partition("=")[2])
    snapshot = _hydrate(root, cookie, "/dev/mailbox")
    assert subject not in snapshot and admin.email not in snapshot


def test_the_same_user_keeps_the_tabs_state() -> None:
    root, admin, subject, cookie = _admin_tab()
    _send(root, cookie, "/dev/mailbox", MailboxState, "load")
    assert subject in _hydrate(root, cookie, "/dev/mailbox")
    assert PASSWORD not in _hydrate(root, cookie, "/dev/mailbox")
