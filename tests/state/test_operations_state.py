"""Operations page state: studio admins only, filters, redacted payloads, replay."""

from __future__ import annotations

import uuid

import pytest

from portal.services.operations.webhooks import ingest_webhook_event
from portal.state.operations import OperationsState
from tests.factories import make_graph, make_tenant, make_user
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def studio_admin_cookie() -> str:
    admin = make_user(tenant=make_tenant(type="admin"), role="admin")
    return signed_in_cookie(admin.email)


def dead_event(secret: str) -> str:
    payload = {"type": "video.asset.ready", "data": {"id": "m", "signing_secret": secret}}
    row_id = ingest_webhook_event(
        source="mux", event_id=str(uuid.uuid4()), payload=payload, error="MalformedEvent: test"
    )
    return str(row_id)


def test_studio_admin_sees_events_opens_a_redacted_payload_and_replays() -> None:
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    event_id = dead_event(secret)
    state = make_state(OperationsState, cookie=studio_admin_cookie())
    assert state.load() is not None  # starts live updates
    assert state.error == "" and event_id in [e.id for e in state.events]
    state.set_filter("status", "dead")
    assert {e.status for e in state.events} == {"dead"}
    state.show_payload(event_id)
    assert "[redacted]" in state.payload and secret not in state.payload
    assert secret not in repr(state.dict())
    state.replay(event_id)
    assert state.message == "Event queued again."
    assert event_id not in [e.id for e in state.events]  # no longer dead
    state.replay(event_id)
    assert state.message == "That event cannot be replayed now."


def test_the_payload_and_errors_shown_mask_email_addresses() -> None:
    payload = {"type": "video.asset.ready", "data": {"id": "m", "note": "from jo.b@client.test"}}
    row_id = ingest_webhook_event(
        source="mux",
        event_id=str(uuid.uuid4()),
        payload=payload,
        error="TargetNotFound: sam@agency.test",
    )
    state = make_state(OperationsState, cookie=studio_admin_cookie())
    state.load()
    [row] = [e for e in state.events if e.id == str(row_id)]
    state.show_payload(str(row_id))
    assert '"note": "from j•••@client.test"' in state.payload
    assert row.last_error == "TargetNotFound: s•••@agency.test"
    assert "jo.b@" not in repr(state.dict()) and "sam@" not in repr(state.dict())


@pytest.mark.parametrize("role", ["agency", "admin"])
def test_agency_users_and_agency_admins_are_refused(role: str) -> None:
    graph = make_graph()
    user = make_user(tenant=graph.tenant, role=role)
    dead = dead_event("x")
    state = make_state(OperationsState, cookie=signed_in_cookie(user.email))
    state.load()
    assert state.events == [] and state.job_runs == [] and state.error
    state.replay(dead)
    state.show_payload(dead)
    assert state.payload == "" and state.message == ""


def test_no_session_is_refused() -> None:
    state = make_state(OperationsState, cookie="")
    state.set_filter("source", "mux")
    assert state.events == [] and state.error
