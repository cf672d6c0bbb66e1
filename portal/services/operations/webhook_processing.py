"""Processing stored webhook events: exactly once in effect, retried with backoff, then dead.

Events are applied in batches: one transaction locks up to BATCH_SIZE pending events (`FOR
UPDATE SKIP LOCKED`), applies each inside a savepoint (a failing event rolls back alone and is
counted for a retry), marks them all done and writes their ledger rows in two statements, then
commits. A worker killed mid-way leaves no trace; a second job for the same event finds nothing
left to do. Retries, replays and the sweeper process single events through the same code.

One batch runs at a time (an advisory lock); it loops while events keep arriving, so a job
that finds the lock taken only re-queues itself a moment later and leaves.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import insert, text
from sqlmodel import Session, select

from portal.db import tenant_session
from portal.integrations.job_queue import defer_webhook_batch, defer_webhook_processing
from portal.models import JobRun, WebhookEvent
from portal.models._base import new_id
from portal.services.core.errors import MalformedEvent, TargetNotFound
from portal.services.core.outcomes import EventOutcome
from portal.services.email.events import handle_resend_event
from portal.services.media.mux_event_batch import handle_mux_events
from portal.services.media.mux_events import handle_mux_event
from portal.services.operations.job_runs import error_text
from portal.services.operations.webhooks import INGEST_BARRIER

log = logging.getLogger(__name__)
JOB_NAME = "process_webhook_event"
PENDING = ("received", "failed", "processing")
HANDLERS: dict[str, Callable[..., EventOutcome]] = {
    "mux": handle_mux_event,
    "resend": handle_resend_event,
}
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0
BATCH_SIZE = 200
# One batch job keeps going while batches come back non-empty, for at most this long.
BATCH_JOB_SECONDS = 20.0
# A batch job that finds another running comes back after this long (it is the waiting job
# then, so ingests queue nothing meanwhile; the running one picks their events up).
BATCH_RETRY_SECONDS = 0.25
BATCH_MUTEX = 0x5745_4242  # "WEBB": advisory lock, one batch at a time
# Tests only: names an advisory lock key; while a test holds that lock, a batch waits with its
# events applied but not committed, so the test can SIGKILL a worker mid-batch (no timing).
PAUSE_LOCK_ENV = "PORTAL_TEST_BATCH_PAUSE_LOCK"

# Pending in batch order: new (and replayed) events, and failed ones whose retry is due. The
# partial index idx_webhook_events_due (status received|failed) serves the order.
_SELECT_BATCH = text(
    "SELECT id, source, payload, retry_count FROM webhook_events"
    " WHERE status IN ('received', 'failed')"
    " AND (status = 'received' OR next_attempt_at <= now())"
    " ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED"
)
_SELECT_ONE = text(
    "SELECT id, source, payload, retry_count FROM webhook_events"
    " WHERE id = :id AND status IN ('received', 'failed', 'processing')"
    " FOR UPDATE SKIP LOCKED"
)
_FINISH = text(
    "UPDATE webhook_events e SET status = v.status, last_error = v.last_error,"
    " next_attempt_at = v.due, retry_count = v.retry_count,"
    " processed_at = CASE WHEN v.status IN ('processed', 'ignored')"
    "   THEN clock_timestamp() ELSE e.processed_at END"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:statuses AS text[]), CAST(:errors AS text[]),"
    "   CAST(:dues AS timestamptz[]), CAST(:retries AS integer[]))"
    "   AS v(id, status, last_error, due, retry_count)"
    " WHERE e.id = v.id"
)


def backoff_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with jitter (50-100%)."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return ceiling * random.uniform(0.5, 1.0)


@dataclass
class _Result:
    """One event's outcome in a batch: its new row values and its ledger entry."""

    id: UUID
    source: str
    status: str
    note: str | None
    retry_count: int
    due: datetime | None = None
    failed: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


def process_webhook_event(*, event_id: UUID, max_attempts: int) -> str:
    """Apply one stored event; returns its new status (`skipped` when there is nothing to do)."""
    with tenant_session(None) as session:
        rows = session.execute(_SELECT_ONE, {"id": event_id}).all()
        results = _apply_all(session, rows, max_attempts=max_attempts)
    return results[0].status if results else "skipped"


def process_webhook_batch(*, max_attempts: int, limit: int = BATCH_SIZE) -> dict[str, Any]:
    """Apply pending events, batch after batch, until none are left (or time is up).

    Returns counts for the job's result; `busy` when another batch job was running.
    """
    counts: dict[str, Any] = {"batches": 0, "events": 0}
    deadline = time.monotonic() + BATCH_JOB_SECONDS
    while True:
        with tenant_session(None) as session:
            if not session.execute(
                text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": BATCH_MUTEX}
            ).scalar_one():
                if counts["batches"] == 0:
                    defer_webhook_batch(session, delay=BATCH_RETRY_SECONDS)
                    counts["busy"] = True
                return counts  # another job holds the lock and carries on
            _ingest_barrier(session)
            rows = session.execute(_SELECT_BATCH, {"limit": limit}).all()
            results = _apply_all(session, rows, max_attempts=max_attempts)
        if not results:
            return counts
        counts["batches"] += 1
        counts["events"] += len(results)
        for result in results:
            counts[result.status] = counts.get(result.status, 0) + 1
        if time.monotonic() > deadline:
            with tenant_session(None) as session:
                defer_webhook_batch(session)  # the rest in a fresh job
            return counts


def _ingest_barrier(session: Session) -> None:
    """Wait for ingest statements in flight (they hold INGEST_BARRIER shared until commit).

    An ingest that found this job waiting queued nothing itself; once this returns, its event
    is committed and the next statement's snapshot sees it.
    """
    session.execute(
        text("SELECT pg_advisory_lock(:k), pg_advisory_unlock(:k)"), {"k": INGEST_BARRIER}
    )


def _apply_all(session: Session, rows: list[Any], *, max_attempts: int) -> list[_Result]:
    """Apply locked events one savepoint each, then finish their rows and ledger together."""
    if not rows:
        return []
    started = datetime.now(UTC)
    batch = str(new_id())
    results = _apply_rows(session, rows, max_attempts) if len(rows) > 1 else None
    if results is None:
        results = [_apply_one(session, row, max_attempts) for row in rows]
    _pause_point(session)
    session.execute(
        _FINISH,
        {
            "ids": [r.id for r in results],
            "statuses": [r.status for r in results],
            "errors": [r.note for r in results],
            "dues": [r.due for r in results],
            "retries": [r.retry_count for r in results],
        },
    )
    finished = datetime.now(UTC)
    ledger = [
        {
            "job_name": JOB_NAME,
            "started_at": started,
            "completed_at": finished,
            "result": "failed" if r.failed else "succeeded",
            "meta": {
                "event": str(r.id),
                "source": r.source,
                "status": r.status,
                "batch": batch,
                "batch_size": len(results),
                **r.meta,
            },
        }
        for r in results
    ]
    session.execute(insert(JobRun), ledger)
    for result in results:
        if result.due is not None:  # the retry, at its time (one waiting job per event)
            defer_webhook_processing(session, str(result.id), scheduled_at=result.due)
    return results


def _pause_point(session: Session) -> None:
    """Wait here while a test holds the lock PAUSE_LOCK_ENV names (a no-op when it is unset)."""
    key = os.environ.get(PAUSE_LOCK_ENV)
    if key:
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": int(key)})


def _apply_rows(session: Session, rows: list[Any], max_attempts: int) -> list[_Result] | None:
    """The whole batch in one savepoint, Mux events in bulk; None (nothing applied) when any
    event raised something other than a not-found target or a malformed payload, which are
    raised before anything is written. The caller then applies them one savepoint each."""
    outcomes: dict[UUID, EventOutcome | Exception] = {}
    try:
        with session.begin_nested():
            mux = [(row.id, row.payload) for row in rows if row.source == "mux"]
            outcomes.update(handle_mux_events(session=session, events=mux))
            for row in rows:
                if row.source != "mux":
                    outcomes[row.id] = _apply_single(session, row)
    except Exception as exc:
        log.warning(
            "webhook batch of %d events fell back to one event at a time (%s); events: %s",
            len(rows),
            error_text(exc),
            _some_ids(rows),
        )
        return None
    return [_result(row, outcomes[row.id], max_attempts) for row in rows]


def _some_ids(rows: list[Any], shown: int = 20) -> str:
    """The first few event ids for a log line (each failing event is logged on its own too)."""
    ids = ", ".join(str(row.id) for row in rows[:shown])
    return ids + (f" (+{len(rows) - shown} more)" if len(rows) > shown else "")


def _apply_single(session: Session, row: Any) -> EventOutcome | Exception:
    try:
        return HANDLERS[row.source](session=session, payload=row.payload)
    except MalformedEvent as exc:
        return _malformed(row, exc)
    except TargetNotFound as exc:
        return exc


def _result(row: Any, outcome: EventOutcome | Exception, max_attempts: int) -> _Result:
    if isinstance(outcome, Exception):
        return _failure(row, outcome, max_attempts)
    return _Result(row.id, row.source, outcome.status, outcome.note, row.retry_count)


def _apply_one(session: Session, row: Any, max_attempts: int) -> _Result:
    """One event in its own savepoint: applied, or counted as a failed attempt."""
    try:
        with session.begin_nested():
            try:
                outcome = HANDLERS[row.source](session=session, payload=row.payload)
            except MalformedEvent as exc:
                outcome = _malformed(row, exc)
    except Exception as exc:
        return _failure(row, exc, max_attempts)
    return _Result(row.id, row.source, outcome.status, outcome.note, row.retry_count)


def _malformed(row: Any, error: MalformedEvent) -> EventOutcome:
    """A payload that can never apply: dead at once, with the reason (logged and stored)."""
    log.warning("webhook event %s (%s) is malformed, marked dead: %s", row.id, row.source, error)
    return EventOutcome("dead", str(error)[:500])


def _failure(row: Any, error: BaseException, max_attempts: int) -> _Result:
    """A failed attempt: retry later with backoff, or dead after `max_attempts`."""
    message = error_text(error)
    attempts = row.retry_count + 1
    dead = attempts >= max_attempts
    log.warning(
        "webhook event %s (%s) failed attempt %d of %d%s: %s",
        row.id,
        row.source,
        attempts,
        max_attempts,
        ", now dead" if dead else ", will retry",
        message,
    )
    due = None if dead else datetime.now(UTC) + timedelta(seconds=backoff_delay(attempts))
    status = "dead" if dead else "failed"
    return _Result(
        row.id, row.source, status, message, attempts, due, failed=True, meta={"error": message}
    )


def requeue_due_events(*, session: Session, limit: int = 500, now: datetime | None = None) -> int:
    """Queue events whose attempt is due and that no job waits for (lost jobs, killed workers)."""
    cutoff = now or datetime.now(UTC)
    due = session.exec(
        select(WebhookEvent.id)
        .where(
            WebhookEvent.status.in_(("received", "failed")), WebhookEvent.next_attempt_at <= cutoff
        )
        .order_by(WebhookEvent.next_attempt_at)
        .limit(limit)
    ).all()
    return sum(defer_webhook_processing(session, str(event_id)) for event_id in due)
