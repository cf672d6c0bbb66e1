"""Background handlers that load data outside the state lock write it only if the tab still
belongs to the session they loaded it for (it may sign out or change hands meanwhile).

A hook around each handler's loading step switches the tab's cookie, as a sign-in of another
user in the same tab does, exactly between the load and the write."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import pytest
from reflex.istate.data import HeaderData, ReflexURL, RouterData

from portal.integrations.pg_listen import Subscription
from portal.services.compliance import residency
from portal.settings import get_settings
from portal.state import bell as bell_state
from portal.state import compliance as compliance_state
from portal.state import live
from portal.state import operations as operations_state
from portal.state.bell import BellState
from portal.state.compliance import ComplianceState
from portal.state.operations import OperationsState
from tests.aio import run
from tests.factories import make_graph, make_tenant, make_user
from tests.state.test_operations_state import dead_event
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def _hand_over(state, cookie: str, fn):
    """`fn`, after which the tab's socket reports `cookie` (another user signed in)."""

    def hooked(*args, **kwargs):
        result = fn(*args, **kwargs)
        url = ReflexURL(str(state.router.url))
        state.router = RouterData(headers=HeaderData(cookie=cookie), url=url)
        return result

    return hooked


class OneChange:
    """A listener whose every subscription sees each of its keys change once, then nothing."""

    sequence = 1

    @asynccontextmanager
    async def subscribe(self, keys):
        subscription = Subscription(keys)
        for key in subscription.keys:
            subscription.fire(key)
        yield subscription


def _studio_admin():
    studio = make_tenant(type="admin")
    managed = make_graph(managed_by=studio)
    return make_user(tenant=studio, role="admin"), managed


def test_compliance_reports_of_the_previous_admin_are_not_listed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)
    admin, managed = _studio_admin()
    residency.generate_evidence(tenant_id=managed.tenant.id)
    producer = make_graph()
    url = "http://localhost:3000/compliance"
    state = make_state(ComplianceState, cookie=signed_in_cookie(admin.email), url=url)
    hook = _hand_over(state, signed_in_cookie(producer.user.email), compliance_state._generate)
    monkeypatch.setattr(compliance_state, "_generate", hook)
    run(ComplianceState.event_handlers["generate"].fn(state))
    assert not state.generating and state.evidence == [] and state.message == ""
    assert "permission" in state.error
    assert managed.tenant.name not in json.dumps(state.dict(), default=str)


def test_bell_loop_stops_when_the_tab_changes_hands(monkeypatch) -> None:
    mine, other = make_graph(), make_graph()
    state = make_state(BellState, cookie=signed_in_cookie(mine.user.email))
    state.start()
    state.unread, state.items = 0, []  # as if nothing had been loaded yet
    monkeypatch.setattr(live, "LISTENER", OneChange())
    monkeypatch.setattr(live, "socket_here", lambda client: True)
    hook = _hand_over(state, signed_in_cookie(other.user.email), bell_state._load)
    monkeypatch.setattr(bell_state, "_load", hook)
    run(BellState.event_handlers["watch"].fn(state))
    assert state.items == [] and state.unread == 0
    assert not live.running(f"bell:{mine.user.id}", state.router.session.client_token)


def test_operations_refresh_is_not_written_after_sign_out(monkeypatch) -> None:
    admin, _ = _studio_admin()
    dead_event("unused")
    url = "http://localhost:3000/operations"
    state = make_state(OperationsState, cookie=signed_in_cookie(admin.email), url=url)
    monkeypatch.setattr(live, "LISTENER", OneChange())
    monkeypatch.setattr(live, "socket_here", lambda client: True)
    monkeypatch.setattr(operations_state, "_load", _hand_over(state, "", operations_state._load))
    run(OperationsState.event_handlers["watch"].fn(state))
    assert state.job_runs == [] and state.events == []
    assert "sign in" in state.error
