"""Reliability: duplicated, shuffled deliveries while a real worker process is SIGKILLed twice.

The default run sends 2,000 deliveries (30% duplicates) so the suite stays quick; the issue's
full size is `PORTAL_RELIABILITY_N=10000 .venv/bin/pytest tests/jobs/test_reliability.py`.
Afterwards every event must be processed exactly once in effect: one row per event, each
applied by exactly one successful run, and the final asset/notification/user states correct.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from portal.api import build_api
from portal.db import tenant_session
from portal.models import Asset, Notification, Project, User
from portal.services.webhook_processing import requeue_due_events
from portal.settings import ROOT
from tests.factories import ctx, make_tenant, make_user
from tests.webhook_support import (
    mux_event,
    mux_request,
    resend_event,
    resend_request,
    webhook_secrets,  # noqa: F401
)

pytestmark = pytest.mark.usefixtures("database", "webhook_secrets")
DELIVERIES = int(os.environ.get("PORTAL_RELIABILITY_N", "2000"))
DUPLICATE_SHARE = 0.3


def build_world(unique_events: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """Assets and notifications, their event streams and the states they must end in."""
    tenant = make_tenant()
    users = [make_user(tenant=tenant) for _ in range(10)]
    events, expected_assets, expected_notes = [], {}, {}
    bounced_users: set[uuid.UUID] = set()
    with tenant_session(ctx(tenant)) as session:
        project = Project(tenant_id=tenant.id, client_name="Load", title=f"Load {uuid.uuid4()}")
        session.add(project)
        session.flush()
        version = 0
        while len(events) < unique_events:
            version += 1
            if version % 4:  # three assets out of four, one notification
                asset = Asset(
                    tenant_id=tenant.id, project_id=project.id, title="A", version=version
                )
                session.add(asset)
                mux_id = f"mux-{uuid.uuid4().hex}"
                final = rng.choice(["ready", "ready", "errored", "deleted"])
                kinds = ["video.upload.asset_created", "video.asset.created"]
                kinds += ["video.asset.errored" if final == "errored" else "video.asset.ready"]
                kinds += ["video.asset.deleted"] if final == "deleted" else []
                events += [("mux", mux_event(k, asset_id=asset.id, mux_id=mux_id)) for k in kinds]
                expected_assets[asset.id] = final
            else:
                user = rng.choice(users)
                email_id = f"email-{uuid.uuid4().hex}"
                note = Notification(
                    tenant_id=tenant.id, user_id=user.id, type="load", email_message_id=email_id
                )
                session.add(note)
                final = rng.choice(["delivered", "delivered", "bounced"])
                kinds = [
                    "email.sent",
                    "email.delivered" if final == "delivered" else "email.bounced",
                ]
                events += [("resend", resend_event(k, email_id)) for k in kinds]
                expected_notes[note.id] = final
                if final == "bounced":
                    bounced_users.add(user.id)
        session.flush()
    return tenant, events, expected_assets, expected_notes, bounced_users, users


def signed(source: str, payload: dict) -> tuple[str, bytes, dict]:
    if source == "mux":
        return source, *mux_request(payload)
    return source, *resend_request(payload)


class Worker:
    """A `portal worker` process."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "portal.cli", "worker", "--concurrency", "4"]
        self.process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def counts(ids: list[str]) -> dict[str, int]:
    with tenant_session(None) as session:
        rows = session.execute(
            text(
                "SELECT status, count(*) FROM webhook_events WHERE event_id = ANY(:ids) "
                "GROUP BY status"
            ),
            {"ids": ids},
        ).all()
    return dict(rows)


def deliver(batch: list[tuple[str, bytes, dict]], senders: int = 4) -> None:
    """POST every delivery over HTTP from a few concurrent senders; each must be acknowledged."""
    app = build_api()

    def send(share: list[tuple[str, bytes, dict]]) -> list[int]:
        with TestClient(app, base_url="http://testserver") as client:
            return [
                client.post(f"/api/webhooks/{source}", content=body, headers=headers).status_code
                for source, body, headers in share
            ]

    with ThreadPoolExecutor(senders) as pool:
        codes = [
            c for part in pool.map(send, [batch[i::senders] for i in range(senders)]) for c in part
        ]
    assert set(codes) <= {200, 202}


def wait_until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_duplicates_shuffled_and_two_sigkills_apply_every_event_once() -> None:
    rng = random.Random(9)
    unique = round(DELIVERIES * (1 - DUPLICATE_SHARE))
    tenant, events, assets, notes, bounced, users = build_world(unique, rng)
    deliveries = [signed(source, payload) for source, payload in events]
    deliveries += rng.choices(deliveries, k=DELIVERIES - len(deliveries))
    rng.shuffle(deliveries)
    ids = [p["id"] for s, p in events if s == "mux"]
    ids += [h["svix-id"] for s, b, h in deliveries if s == "resend"]
    ids = list(set(ids))
    total = len(events)

    processed_at_kill = []
    worker = Worker()
    worker.start()
    try:
        # Deliveries keep arriving while the worker is killed: batches keep pace with delivery,
        # so waiting for the sends to end first would leave nothing to interrupt.
        with ThreadPoolExecutor(1) as background:
            sending = background.submit(deliver, deliveries)
            for share in (0.2, 0.6):
                wait_until(lambda: counts(ids).get("processed", 0) >= total * share, 60)  # noqa: B023
                worker.kill()
                processed_at_kill.append(counts(ids).get("processed", 0))
                worker.start()
            sending.result()
        done = lambda: counts(ids).get("processed", 0) == total  # noqa: E731
        for _ in range(20):  # the retry sweeper's tick, for jobs that died with a worker
            if wait_until(done, 2):
                break
            with tenant_session(None) as session:
                requeue_due_events(session=session, now=datetime.now(UTC) + timedelta(hours=1))
        assert counts(ids) == {"processed": total}
        assert all(0 < n < total for n in processed_at_kill), "a kill was not mid-run"
    finally:
        worker.stop()
    assert_applied_once(ids, total)
    assert_final_states(tenant, assets, notes, bounced, users)


def assert_applied_once(ids: list[str], total: int) -> None:
    with tenant_session(None) as session:
        applied = session.execute(
            text(
                "SELECT count(*), count(DISTINCT r.metadata->>'event') FROM job_runs r "
                "JOIN webhook_events e ON e.id::text = r.metadata->>'event' "
                "WHERE e.event_id = ANY(:ids) AND r.result = 'succeeded'"
            ),
            {"ids": ids},
        ).one()
    assert tuple(applied) == (total, total), "an event was applied twice or not at all"


def assert_final_states(tenant, assets, notes, bounced, users) -> None:  # type: ignore[no-untyped-def]
    with tenant_session(ctx(tenant)) as session:
        got_assets = {a.id: a.status for a in session.query(Asset).filter(Asset.id.in_(assets))}
        got_notes = {
            n.id: (n.email_status, n.delivered_at is not None)
            for n in session.query(Notification).filter(Notification.id.in_(notes))
        }
        got_bounced = {
            u.id
            for u in session.query(User).filter(User.id.in_([u.id for u in users]))
            if u.email_bounced_at is not None
        }
    assert got_assets == assets
    assert got_notes == {k: (v, v == "delivered") for k, v in notes.items()}
    assert got_bounced == bounced
