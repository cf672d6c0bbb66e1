"""Reliability: duplicated, shuffled deliveries while a real worker process is SIGKILLed twice.

The default run sends 2,000 deliveries (30% duplicates) so the suite stays quick; the issue's
full size is `PORTAL_RELIABILITY_N=10000 .venv/bin/pytest tests/jobs/test_reliability.py`.
Afterwards every event must be processed exactly once in effect: one row per event, each
applied by exactly one successful run, and the final asset/notification/user states correct.

"Mid-batch" is arranged, not timed: the worker runs with PAUSE_LOCK_ENV naming an advisory lock
the test holds, so a batch waits with its events applied but uncommitted; the test sees it
waiting in pg_locks, then kills the worker. No step depends on the machine's speed.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from portal.api import build_api
from portal.db import tenant_session
from portal.models import Asset, Notification, Project, User
from portal.services.operations.webhook_processing import PAUSE_LOCK_ENV, requeue_due_events
from portal.settings import ROOT
from tests.factories import ctx, make_tenant, make_user
from tests.jobs.support import BATCH_PAUSE_KEY, batches_paused, wait_until
from tests.webhook_support import (
    mux_event,
    mux_request,
    resend_event,
    resend_request,
)

pytestmark = pytest.mark.usefixtures("database", "webhook_secrets")
DELIVERIES = int(os.environ.get("PORTAL_RELIABILITY_N", "2000"))
DUPLICATE_SHARE = 0.3
Delivery = tuple[str, bytes, dict]  # (source, signed body, headers)


def build_world(unique_events: int, rng: random.Random):
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


def signed(source: str, payload: dict) -> Delivery:
    if source == "mux":
        return source, *mux_request(payload)
    return source, *resend_request(payload)


class Worker:
    """A `portal worker` process whose batches wait mid-way while a test holds the pause lock."""

    def __init__(self, log: Path) -> None:
        self.process: subprocess.Popen | None = None
        self.log = log  # its stderr, for the failure message

    def start(self) -> None:
        command = [sys.executable, "-m", "portal.cli", "worker", "--concurrency", "4"]
        env = {**os.environ, PAUSE_LOCK_ENV: str(BATCH_PAUSE_KEY)}
        with self.log.open("ab") as stderr:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr)

    def check_alive(self) -> None:
        assert self.process is not None
        tail = self.log.read_text(errors="replace")[-3000:]
        assert self.process.poll() is None, f"the worker exited: {tail}"

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


def deliver(batch: list[Delivery], senders: int = 4) -> None:
    """POST every delivery over HTTP from a few concurrent senders; each must be acknowledged."""
    app = build_api()

    def send(share: list[Delivery]) -> list[int]:
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


def event_id(delivery: Delivery) -> str:
    source, body, headers = delivery
    return headers["svix-id"] if source == "resend" else json.loads(body)["id"]


def settle(worker: Worker, ids: list[str], expected: int, stall: float = 180) -> None:
    """Until `expected` events are processed; the retry sweeper's tick (as the periodic job
    would run it) re-queues events whose job died with a killed worker. Fails only when nothing
    moves for `stall` seconds: a busy machine is slow, a stuck pipeline makes no progress."""
    progress = counts(ids)
    deadline = time.monotonic() + stall
    done = lambda: counts(ids).get("processed", 0) == expected  # noqa: E731
    while not wait_until(done, 2) and time.monotonic() < deadline:
        worker.check_alive()
        with tenant_session(None) as session:
            requeue_due_events(session=session, now=datetime.now(UTC) + timedelta(hours=1))
        now = counts(ids)
        if now != progress:
            progress, deadline = now, time.monotonic() + stall
    assert counts(ids) == {"processed": expected}, backends()


def backends() -> list[tuple]:
    """What this database's other sessions are doing (for a failure message)."""
    with tenant_session(None) as session:
        return list(
            session.execute(
                text(
                    "SELECT pid, state, wait_event_type, wait_event, now() - xact_start,"
                    " left(query, 100) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        )


def kill_mid_batch(
    worker: Worker, conninfo: str, ids: list[str], arriving: list[Delivery], later: list[Delivery]
) -> int:
    """Hold the batches at the pause point, deliver `arriving` (a batch takes them up and waits
    there), SIGKILL the worker while it waits, deliver `later` to the dead worker, restart it.
    Returns how many events were processed at the kill."""
    with batches_paused(conninfo) as paused:
        deliver(arriving)
        reached = wait_until(lambda: paused() >= 1, 120)
        worker.check_alive()
        assert reached, "no batch reached the pause point"
        worker.kill()
        processed = counts(ids).get("processed", 0)
        deliver(later)
    worker.start()  # the killed worker's backend rolls back once the lock lets it go on
    return processed


def test_duplicates_shuffled_and_two_sigkills_apply_every_event_once(database, tmp_path) -> None:
    rng = random.Random(9)
    unique = round(DELIVERIES * (1 - DUPLICATE_SHARE))
    tenant, events, assets, notes, bounced, users = build_world(unique, rng)
    deliveries = [signed(source, payload) for source, payload in events]
    deliveries += rng.choices(deliveries, k=DELIVERIES - len(deliveries))
    rng.shuffle(deliveries)
    ids = list({event_id(d) for d in deliveries})
    total = len(events)
    assert len(ids) == total
    # Parts in turn: sent to a running worker; sent while batches are held at the pause point
    # (then the worker is killed); sent while it is dead. Twice, then the rest.
    cuts = [round(f * len(deliveries)) for f in (0, 0.2, 0.3, 0.45, 0.6, 0.7, 1)]
    parts = [deliveries[a:b] for a, b in itertools.pairwise(cuts)]
    seen = lambda n: len({event_id(d) for d in deliveries[: cuts[n]]})  # noqa: E731
    conninfo = database.superuser_conninfo

    processed_at_kill = []
    worker = Worker(tmp_path / "worker.log")
    worker.start()
    try:
        deliver(parts[0])
        settle(worker, ids, seen(1))
        processed_at_kill.append(kill_mid_batch(worker, conninfo, ids, parts[1], parts[2]))
        deliver(parts[3])
        settle(worker, ids, seen(4))
        processed_at_kill.append(kill_mid_batch(worker, conninfo, ids, parts[4], parts[5]))
        settle(worker, ids, total)
    finally:
        worker.stop()
    # Each kill landed mid-batch: its batch had applied events that were never committed.
    assert processed_at_kill == [seen(1), seen(4)] and 0 < seen(1) < seen(4) < total
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


def assert_final_states(tenant, assets, notes, bounced, users) -> None:
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
