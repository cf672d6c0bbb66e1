"""Processing stored events: forward-only, order-tolerant, idempotent; retries then dead."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.db import tenant_session
from portal.models import JobRun, Notification, User
from portal.services.operations import webhook_processing
from portal.services.operations.webhook_processing import process_webhook_event, requeue_due_events
from portal.services.operations.webhooks import replay_webhook_event
from tests.factories import asset_of, ctx, make_graph
from tests.jobs.support import drain_webhook_queue, waiting_jobs
from tests.webhook_support import event, mux_event, resend_event, store

pytestmark = pytest.mark.usefixtures("database")


def process(row_id: uuid.UUID) -> str:
    return process_webhook_event(event_id=row_id, max_attempts=3)


def test_ready_before_created_still_ends_ready() -> None:
    graph = make_graph()
    mux_id = f"mux-{uuid.uuid4().hex[:8]}"
    aid = graph.asset.id
    ready = store("mux", mux_event("video.asset.ready", asset_id=aid, mux_id=mux_id, duration=2.5))
    created = store("mux", mux_event("video.asset.created", asset_id=aid, mux_id=mux_id))
    assert process(ready) == "processed"
    assert process(created) == "processed"
    assert process(created) == "skipped"  # already processed: nothing applied twice
    final = asset_of(graph)
    assert final.status == "ready" and float(final.duration) == 2.5
    assert final.mux_asset_id == mux_id
    assert event(created).last_error == "asset stays ready"


def test_an_event_before_its_asset_is_linked_is_retried_until_it_matches() -> None:
    graph = make_graph()
    mux_id = f"mux-{uuid.uuid4().hex[:8]}"
    ready = store("mux", mux_event("video.asset.ready", asset_id=None, mux_id=mux_id))
    assert process(ready) == "failed"
    assert event(ready).last_error == "TargetNotFound: no asset matches this event"
    link = mux_event("video.upload.asset_created", asset_id=graph.asset.id, mux_id=mux_id)
    assert process(store("mux", link)) == "processed"
    assert process(ready) == "processed"  # the retry
    assert asset_of(graph).status == "ready"


def test_upload_asset_created_links_the_mux_asset_then_deleted_is_final() -> None:
    graph = make_graph()
    mux_id = f"mux-{uuid.uuid4().hex[:8]}"
    for kind in ("video.upload.asset_created", "video.asset.deleted", "video.asset.ready"):
        assert process(store("mux", mux_event(kind, asset_id=graph.asset.id, mux_id=mux_id)))
    asset = asset_of(graph)
    assert asset.status == "deleted" and asset.mux_asset_id == mux_id


def test_unknown_type_unknown_asset_and_missing_fields_are_clear() -> None:
    unknown_type = store("mux", {"id": str(uuid.uuid4()), "type": "video.live_stream.idle"})
    unknown_asset = store(
        "mux", mux_event("video.asset.ready", asset_id=uuid.uuid4(), mux_id="nobody")
    )
    missing = store("mux", {"id": str(uuid.uuid4()), "type": "video.asset.ready", "data": {}})
    no_data = store("resend", {"type": "email.delivered"})
    assert [process(e) for e in (unknown_type, unknown_asset, missing, no_data)] == [
        "ignored",
        "failed",
        "dead",
        "dead",
    ]
    assert "unhandled event type" in event(unknown_type).last_error
    assert event(unknown_asset).last_error == "TargetNotFound: no asset matches this event"
    assert "without data.id" in event(missing).last_error


def test_resend_delivery_and_bounce() -> None:
    graph = make_graph()
    email_id = f"email-{uuid.uuid4().hex[:8]}"
    with tenant_session(ctx(graph.tenant)) as session:
        note = session.get(Notification, graph.notification.id)
        note.email_message_id = email_id
        session.add(note)
    for kind in ("email.delivered", "email.sent", "email.bounced"):
        assert process(store("resend", resend_event(kind, email_id))) == "processed"
    with tenant_session(ctx(graph.tenant)) as session:
        note = session.get(Notification, graph.notification.id)
        user = session.get(User, graph.user.id)
    assert note.delivered_at is not None and note.email_status == "bounced"
    assert user.email_bounced_at is not None


def test_resend_payloads_are_stored_without_personal_data_and_bounces_still_apply() -> None:
    graph = make_graph()
    email_id = f"email-{uuid.uuid4().hex[:8]}"
    with tenant_session(ctx(graph.tenant)) as session:
        note = session.get(Notification, graph.notification.id)
        note.email_message_id = email_id
        session.add(note)
    sent = resend_event("email.bounced", email_id)
    sent["data"] |= {
        "to": ["pat.lee@harbourco.test"],
        "from": "Studio <notify@studio.test>",
        "subject": "Pat, your cut is ready",
        "headers": [{"name": "X-Entity", "value": "pat.lee@harbourco.test"}],
        "bounce": {"type": "Permanent", "subType": "General", "message": "pat.lee@ unknown"},
    }
    row_id = store("resend", sent)
    assert event(row_id).payload == {
        "type": "email.bounced",
        "created_at": sent["created_at"],
        "data": {
            "email_id": email_id,
            "to": ["p•••@harbourco.test"],
            "from": "Studio <n•••@studio.test>",
            "bounce": {"type": "Permanent", "subType": "General"},
        },
    }
    assert process(row_id) == "processed"
    with tenant_session(ctx(graph.tenant)) as session:
        assert session.get(User, graph.user.id).email_bounced_at is not None
        assert session.get(Notification, graph.notification.id).email_status == "bounced"


def test_failures_back_off_then_go_dead(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("mux handler exploded")

    monkeypatch.setitem(webhook_processing.HANDLERS, "mux", broken)
    row_id = store("mux", mux_event("video.asset.ready", asset_id=None, mux_id="nobody-x"))
    before = datetime.now(UTC)
    assert process(row_id) == "failed"
    failed = event(row_id)
    assert failed.retry_count == 1 and failed.last_error == "RuntimeError: mux handler exploded"
    assert before + timedelta(seconds=0.9) <= failed.next_attempt_at
    assert waiting_jobs(row_id) == 1  # the retry, scheduled at next_attempt_at
    assert process(row_id) == "failed"
    assert process(row_id) == "dead"
    dead = event(row_id)
    assert dead.retry_count == 3 and dead.next_attempt_at is None
    with tenant_session(None) as session:
        runs = session.exec(select(JobRun).where(JobRun.meta["event"].astext == str(row_id))).all()
    assert [r.result for r in runs] == ["failed"] * 3
    monkeypatch.undo()
    with tenant_session(None) as session:
        assert replay_webhook_event(session=session, event_id=row_id)
    assert process(row_id) == "failed"  # the real handler: no such asset (yet)
    assert event(row_id).retry_count == 1


def test_a_real_worker_drains_the_queue_and_the_sweeper_requeues_lost_events() -> None:
    graph = make_graph()
    mux_id = f"mux-{uuid.uuid4().hex[:8]}"
    row_id = store("mux", mux_event("video.asset.ready", asset_id=graph.asset.id, mux_id=mux_id))
    drain_webhook_queue()
    assert event(row_id).status == "processed" and asset_of(graph).status == "ready"

    lost = store("mux", mux_event("video.asset.deleted", asset_id=graph.asset.id, mux_id=mux_id))
    with tenant_session(None) as session:  # as if its job died with a killed worker
        from sqlalchemy import text

        session.execute(
            text("DELETE FROM procrastinate_jobs WHERE queueing_lock = :l"),
            {"l": f"webhook:{lost}"},
        )
    with tenant_session(None) as session:
        assert requeue_due_events(session=session) == 0  # not due yet (grace period)
        later = datetime.now(UTC) + timedelta(minutes=2)
        assert requeue_due_events(session=session, now=later) >= 1
        assert requeue_due_events(session=session, now=later) == 0  # one waiting job per event
    drain_webhook_queue()
    assert asset_of(graph).status == "deleted"
