"""Queued tasks: webhook event processing (its retries are the event's own, see the service)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import portal.jobs.email  # noqa: F401  (registers the account-email task)
from portal.integrations.job_queue import (
    PROCESS_WEBHOOK_BATCH_TASK,
    PROCESS_WEBHOOK_TASK,
    WEBHOOK_QUEUE,
)
from portal.jobs.app import job_app
from portal.services.operations.webhook_processing import (
    process_webhook_batch,
    process_webhook_event,
)
from portal.services.outbound import webhooks as outbound
from portal.settings import get_settings


@job_app.task(name=PROCESS_WEBHOOK_BATCH_TASK, queue=WEBHOOK_QUEUE)
def process_webhook_batch_task() -> dict[str, Any]:
    """Apply every pending webhook event in batches (the ledger has one row per event)."""
    return process_webhook_batch(max_attempts=get_settings().webhook_max_attempts)


@job_app.task(name=PROCESS_WEBHOOK_TASK, queue=WEBHOOK_QUEUE)
def process_webhook_event_task(event_id: str) -> str:
    """Apply one stored webhook event: a retry, a replay, or one the sweeper found."""
    return process_webhook_event(
        event_id=UUID(event_id), max_attempts=get_settings().webhook_max_attempts
    )


@job_app.task(name=outbound.DELIVER_TASK, queue=outbound.QUEUE)
def deliver_outbound_webhook_task(delivery_id: str, tenant_id: str) -> str:
    """One attempt at one outbound webhook delivery (its retries are deferred by the service)."""
    return outbound.deliver(delivery_id=UUID(delivery_id), tenant_id=UUID(tenant_id))
