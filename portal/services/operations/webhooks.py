"""Inbound webhook events: stored once per (source, event_id), queued, listed and replayed.

Payloads are stored without personal data (portal/services/compliance/redaction.py: Resend's
recipient, sender and subject are masked or dropped before the row is written).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import update
from sqlmodel import Session

from portal.db import app_pool
from portal.integrations.job_queue import defer_webhook_processing, webhook_batch_job
from portal.models import WebhookEvent
from portal.models._base import new_id
from portal.services.compliance.redaction import stored_payload
from portal.services.core.errors import InvalidInput

SOURCES = ("mux", "resend")
# Advisory lock key: ingests hold it shared until commit; a batch takes it exclusively for an
# instant before selecting pending events (see webhook_processing.process_webhook_batch).
INGEST_BARRIER = 0x5745_4248  # "WEBH"
# Statuses an admin may replay: finished ones (processed, ignored) and given-up ones (dead).
REPLAYABLE = ("processed", "ignored", "dead")
# A received event nobody processed within this long is queued again by the retry sweeper.
PICKUP_GRACE = timedelta(minutes=1)


def _check(source: str, event_id: str) -> None:
    if source not in SOURCES:
        raise InvalidInput(f"Unknown webhook source: {source}.")
    if not event_id or len(event_id) > 255:
        raise InvalidInput("A webhook event needs an id of at most 255 characters.")


# Store and queue in one statement: the insert-on-conflict and, for a new event that should be
# processed, the batch job unless one already waits. Either both happen or neither does; a
# sender whose delivery failed retries it, and the retry sweeper queues any stored event whose
# job went missing. The shared advisory lock, held until commit, lets a starting batch wait for
# in-flight ingests (INGEST_BARRIER in webhook_processing): an event whose insert found a batch
# job waiting is committed before that job selects the pending events.
_INGEST = f"""
WITH barrier AS (SELECT pg_advisory_xact_lock_shared(%(barrier)s)),
stored AS (
  INSERT INTO webhook_events (id, source, event_id, payload, status, last_error, next_attempt_at)
  SELECT %(id)s, %(source)s, %(event_id)s, %(payload)s, %(status)s, %(last_error)s,
         CASE WHEN %(status)s = 'received' THEN now() + %(grace)s END
  FROM barrier
  ON CONFLICT ON CONSTRAINT uq_webhook_events_source_event DO NOTHING
  RETURNING id
),
queued AS ({webhook_batch_job(rows_from="FROM stored WHERE %(enqueue)s")})
SELECT id FROM stored
"""


def ingest_webhook_event(
    *, source: str, event_id: str, payload: dict[str, Any], error: str | None = None
) -> UUID | None:
    """Store an event and queue its processing (an `error`: store it dead, queue nothing), in
    one autocommit statement on a pooled connection as the runtime role (webhook_events has no
    RLS); None when (source, event_id) was seen."""
    _check(source, event_id)
    params = {
        "id": new_id(),
        "source": source,
        "event_id": event_id,
        "payload": Jsonb(stored_payload(source, payload)),
        "status": "received" if error is None else "dead",
        "last_error": error,
        "grace": PICKUP_GRACE,
        "enqueue": error is None,
        "barrier": INGEST_BARRIER,
    }
    for attempt in (1, 2):
        try:
            with app_pool().connection() as conn:
                row = conn.execute(_INGEST, params).fetchone()
            return row[0] if row else None
        except psycopg.OperationalError:
            # A pooled connection the server dropped (idle timeout, restart): the statement is
            # idempotent (ON CONFLICT), so one retry on a fresh connection is safe.
            if attempt == 2:
                raise
    return None


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
