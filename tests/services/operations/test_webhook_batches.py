"""Batches of webhook events: the same outcomes as one at a time, one bad event alone fails."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from portal.db import tenant_session
from portal.models import Asset, JobRun, Notification
from portal.services.operations import webhook_processing
from portal.services.operations.webhook_processing import process_webhook_batch
from tests.factories import asset_of, ctx, make_graph
from tests.jobs.support import waiting_jobs
from tests.webhook_support import event, mux_event, resend_event, store

pytestmark = pytest.mark.usefixtures("database")


def with_uploader(graph):
    """The graph's asset uploaded by its user (who then hears when it is ready)."""
    with tenant_session(ctx(graph.tenant)) as session:
        asset = session.get(Asset, graph.asset.id)
        asset.uploader_id = graph.user.id
        session.add(asset)
    return graph


def notifications(graph, kind: str) -> int:
    with tenant_session(ctx(graph.tenant, graph.user)) as session:
        rows = session.exec(
            select(Notification).where(
                Notification.user_id == graph.user.id, Notification.type == kind
            )
        ).all()
    return len(rows)


def test_a_batch_applies_each_event_as_one_at_a_time_would() -> None:
    one, two = with_uploader(make_graph()), with_uploader(make_graph())
    mux_one, mux_two = f"mux-{uuid.uuid4().hex}", f"mux-{uuid.uuid4().hex}"
    email_id = f"email-{uuid.uuid4().hex[:8]}"
    with tenant_session(ctx(one.tenant)) as session:
        note = session.get(Notification, one.notification.id)
        note.email_message_id = email_id
        session.add(note)
    ready = store(
        "mux",
        mux_event(
            "video.asset.ready",
            asset_id=one.asset.id,
            mux_id=mux_one,
            duration=2.5,
            playback_ids=[{"id": "play-1", "policy": "signed"}],
        ),
    )
    created = store("mux", mux_event("video.asset.created", asset_id=one.asset.id, mux_id=mux_one))
    again = store("mux", mux_event("video.asset.ready", asset_id=one.asset.id, mux_id=mux_one))
    errored = store("mux", mux_event("video.asset.errored", asset_id=two.asset.id, mux_id=mux_two))
    nobody = store("mux", mux_event("video.asset.ready", asset_id=uuid.uuid4(), mux_id="nobody"))
    missing = store("mux", {"id": str(uuid.uuid4()), "type": "video.asset.ready", "data": {}})
    unknown = store("mux", {"id": str(uuid.uuid4()), "type": "video.live_stream.idle"})
    delivered = store("resend", resend_event("email.delivered", email_id))

    counts = process_webhook_batch(max_attempts=3)

    assert counts["events"] >= 8 and "busy" not in counts
    first = asset_of(one)
    assert first.status == "ready" and float(first.duration) == 2.5
    assert first.mux_asset_id == mux_one and first.mux_playback_id == "play-1"
    assert asset_of(two).status == "errored"
    assert notifications(one, "asset_ready") == 1  # ready twice, announced once
    assert notifications(two, "asset_errored") == 1
    statuses = {
        name: (event(row).status, event(row).last_error)
        for name, row in {
            "ready": ready,
            "created": created,
            "again": again,
            "errored": errored,
            "missing": missing,
            "unknown": unknown,
            "delivered": delivered,
        }.items()
    }
    assert statuses["ready"] == ("processed", None)
    assert statuses["created"] == ("processed", "asset stays ready")
    assert statuses["again"] == ("processed", None)
    assert statuses["errored"] == ("processed", None)
    assert statuses["missing"][0] == "dead" and "without data.id" in statuses["missing"][1]
    assert statuses["unknown"][0] == "ignored"
    assert statuses["delivered"] == ("processed", None)
    failed = event(nobody)
    assert failed.status == "failed" and failed.retry_count == 1
    assert failed.last_error == "TargetNotFound: no asset matches this event"
    assert waiting_jobs(nobody) == 1  # its retry, at its time
    with tenant_session(None) as session:
        runs = session.exec(
            select(JobRun).where(JobRun.meta["event"].astext.in_([str(ready), str(nobody)]))
        ).all()
    assert sorted(r.result for r in runs) == ["failed", "succeeded"]
    assert runs[0].meta["batch"] == runs[1].meta["batch"]  # one ledger insert for the batch


def test_an_event_that_breaks_the_batch_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = with_uploader(make_graph())
    mux_id = f"mux-{uuid.uuid4().hex}"
    good = store("mux", mux_event("video.asset.ready", asset_id=graph.asset.id, mux_id=mux_id))
    bad_payload = mux_event("video.asset.created", asset_id=graph.asset.id, mux_id=mux_id)
    bad = store("mux", bad_payload)
    real_bulk, real_one = webhook_processing.handle_mux_events, webhook_processing.HANDLERS["mux"]

    def bulk(*, session, events):
        outcomes = real_bulk(session=session, events=events)  # writes, then a late error
        if any(payload["id"] == bad_payload["id"] for _, payload in events):
            session.execute(text("SELECT 1/0"))
        return outcomes

    def one(*, session, payload):
        if payload["id"] == bad_payload["id"]:
            raise RuntimeError("boom")
        return real_one(session=session, payload=payload)

    monkeypatch.setattr(webhook_processing, "handle_mux_events", bulk)
    monkeypatch.setitem(webhook_processing.HANDLERS, "mux", one)
    process_webhook_batch(max_attempts=3)

    assert event(good).status == "processed" and asset_of(graph).status == "ready"
    assert notifications(graph, "asset_ready") == 1  # the rolled-back attempt left nothing
    failed = event(bad)
    assert failed.status == "failed" and failed.last_error == "RuntimeError: boom"
    assert failed.retry_count == 1 and failed.next_attempt_at is not None


def test_a_second_batch_job_leaves_the_running_one_to_it() -> None:
    with tenant_session(None) as session:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": webhook_processing.BATCH_MUTEX}
        )
        # Another connection: this transaction holds the lock like a running batch.
        assert process_webhook_batch(max_attempts=3) == {"batches": 0, "events": 0, "busy": True}
        waiting = session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
                " AND queueing_lock = 'webhook-batch'"
            )
        ).scalar_one()
    assert waiting == 1  # it comes back shortly (or the waiting one already covers it)
