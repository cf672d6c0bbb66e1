"""Processing stored webhook events: exactly once in effect, retried with backoff, then dead.

An event is applied in one transaction that also locks its row and marks it done, so a worker
killed mid-way leaves no trace and a second job for the same event finds nothing left to do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlmodel import Session, select

from portal.db import tenant_session
from portal.jobs.queue import defer_webhook_processing
from portal.models import WebhookEvent
from portal.services.email_events import handle_resend_event
from portal.services.job_runs import error_text, record_job_run
from portal.services.media_events import EventOutcome, MalformedEvent, handle_mux_event

JOB_NAME = "process_webhook_event"
PENDING = ("received", "failed", "processing")
HANDLERS: dict[str, Callable[..., EventOutcome]] = {
    "mux": handle_mux_event,
    "resend": handle_resend_event,
}
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0


def backoff_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with jitter (50-100%)."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return ceiling * random.uniform(0.5, 1.0)


def process_webhook_event(*, event_id: UUID, max_attempts: int) -> str:
    """Apply one stored event; returns its new status (`skipped` when there is nothing to do)."""
    started = datetime.now(UTC)
    try:
        return _apply(event_id, started)
    except Exception as exc:
        return record_failure(
            event_id=event_id, error=exc, started_at=started, max_attempts=max_attempts
        )


def _apply(event_id: UUID, started: datetime) -> str:
    with tenant_session(None) as session:
        event = session.exec(
            select(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status.in_(PENDING))
            .with_for_update(skip_locked=True)
        ).first()
        if event is None:
            return "skipped"
        try:
            outcome = HANDLERS[event.source](session=session, payload=event.payload)
        except MalformedEvent as exc:
            outcome = EventOutcome("dead", str(exc)[:500])
        _finish(session, event, outcome.status, outcome.note, None)
        _ledger(session, event, started, "succeeded", outcome.status)
        return outcome.status


def _finish(
    session: Session, event: WebhookEvent, status: str, note: str | None, due: datetime | None
) -> None:
    event.status = status
    event.last_error = note
    event.next_attempt_at = due
    if status in ("processed", "ignored"):
        event.processed_at = datetime.now(UTC)
    session.add(event)


def _ledger(
    session: Session, event: WebhookEvent, started: datetime, result: str, status: str, **extra: Any
) -> None:
    meta = {"event": str(event.id), "source": event.source, "status": status, **extra}
    record_job_run(session=session, job_name=JOB_NAME, started_at=started, result=result, meta=meta)


def record_failure(
    *, event_id: UUID, error: BaseException, started_at: datetime, max_attempts: int
) -> str:
    """Count a failed attempt: retry later with backoff, or mark the event dead."""
    message = error_text(error)
    with tenant_session(None) as session:
        event = session.exec(
            select(WebhookEvent)
            .where(WebhookEvent.id == event_id, WebhookEvent.status.in_(PENDING))
            .with_for_update()
        ).first()
        if event is None:
            return "skipped"
        event.retry_count += 1
        dead = event.retry_count >= max_attempts
        delay = timedelta(seconds=backoff_delay(event.retry_count))
        due = None if dead else datetime.now(UTC) + delay
        _finish(session, event, "dead" if dead else "failed", message, due)
        _ledger(session, event, started_at, "failed", event.status, error=message)
        if due is not None:
            session.flush()
            defer_webhook_processing(session, str(event_id), scheduled_at=due)
        return event.status


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
