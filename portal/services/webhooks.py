"""Inbound webhook events: stored once per (source, event_id), queued, listed and replayed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from portal.jobs.queue import defer_webhook_processing
from portal.models import WebhookEvent
from portal.services.errors import InvalidInput

SOURCES = ("mux", "resend")
# Statuses an admin may replay: finished ones (processed, ignored) and given-up ones (dead).
REPLAYABLE = ("processed", "ignored", "dead")
# A received event nobody processed within this long is queued again by the retry sweeper.
PICKUP_GRACE = timedelta(minutes=1)


def record_webhook_event(
    *,
    session: Session,
    source: str,
    event_id: str,
    payload: dict[str, Any],
    enqueue: bool = False,
    status: str = "received",
    last_error: str | None = None,
) -> UUID | None:
    """Store an event (and queue its processing); None when (source, event_id) was seen."""
    if source not in SOURCES:
        raise InvalidInput(f"Unknown webhook source: {source}.")
    if not event_id or len(event_id) > 255:
        raise InvalidInput("A webhook event needs an id of at most 255 characters.")
    statement = (
        insert(WebhookEvent)
        .values(
            source=source,
            event_id=event_id,
            payload=payload,
            status=status,
            last_error=last_error,
            next_attempt_at=func.now() + PICKUP_GRACE if status == "received" else None,
        )
        .on_conflict_do_nothing(constraint="uq_webhook_events_source_event")
        .returning(WebhookEvent.id)
    )
    row_id = session.execute(statement).scalar_one_or_none()
    if row_id is not None and enqueue and status == "received":
        defer_webhook_processing(session, str(row_id), new=True)
    return row_id


def replay_webhook_event(*, session: Session, event_id: UUID) -> bool:
    """Put a processed, ignored or dead event back in the queue; False if not replayable."""
    replayed = session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.status.in_(REPLAYABLE))
        .values(status="received", retry_count=0, next_attempt_at=None, last_error=None)
        .returning(WebhookEvent.id)
    ).scalar_one_or_none()
    if replayed is None:
        return False
    defer_webhook_processing(session, str(event_id))
    return True
