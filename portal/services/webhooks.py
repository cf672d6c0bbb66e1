"""Inbound webhook events: stored once per (source, event_id) before any processing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from portal.models import WebhookEvent
from portal.services.errors import InvalidInput

SOURCES = ("mux", "resend")


def record_webhook_event(
    *, session: Session, source: str, event_id: str, payload: dict[str, Any]
) -> bool:
    """Store an event; False when the same (source, event_id) was already received."""
    if source not in SOURCES:
        raise InvalidInput(f"Unknown webhook source: {source}.")
    if not event_id or len(event_id) > 255:
        raise InvalidInput("A webhook event needs an id of at most 255 characters.")
    statement = (
        insert(WebhookEvent)
        .values(source=source, event_id=event_id, payload=payload)
        .on_conflict_do_nothing(constraint="uq_webhook_events_source_event")
        .returning(WebhookEvent.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None
