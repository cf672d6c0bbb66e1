"""Queued tasks: webhook event processing (its retries are the event's own, see the service)."""

from __future__ import annotations

from uuid import UUID

from portal.jobs.app import job_app
from portal.jobs.queue import PROCESS_WEBHOOK_TASK, WEBHOOK_QUEUE
from portal.services.webhook_processing import process_webhook_event
from portal.settings import get_settings


@job_app.task(name=PROCESS_WEBHOOK_TASK, queue=WEBHOOK_QUEUE)
def process_webhook_event_task(event_id: str) -> str:
    """Apply one stored webhook event (exactly once in effect; failures retry with backoff)."""
    return process_webhook_event(
        event_id=UUID(event_id), max_attempts=get_settings().webhook_max_attempts
    )
