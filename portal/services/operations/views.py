"""What the operations page shows: job runs and webhook events as small view objects."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from sqlmodel import Session, select

from portal.models import WebhookEvent
from portal.services.compliance.redaction import mask_emails, redact
from portal.services.core.locale import format_datetime
from portal.services.operations.job_runs import list_job_runs
from portal.services.operations.view_types import JobRunRow, WebhookEventRow
from portal.services.operations.webhooks import REPLAYABLE

PAYLOAD_PREVIEW_CHARS = 4000


def _when(value: datetime | None) -> str:
    return format_datetime(value)


def job_run_rows(
    *, session: Session, job_name: str = "", result: str = "", limit: int = 100
) -> list[JobRunRow]:
    """The latest job runs, filtered by job and result."""
    rows = []
    for run in list_job_runs(session=session, job_name=job_name, result=result, limit=limit):
        took = (run.completed_at - run.started_at).total_seconds() if run.completed_at else None
        details = ", ".join(f"{k}: {v}" for k, v in redact(run.meta).items())
        rows.append(
            JobRunRow(
                id=str(run.id),
                job_name=run.job_name,
                started_at=_when(run.started_at),
                seconds="" if took is None else f"{took:.2f}",
                result=run.result,
                details=details[:300],
            )
        )
    return rows


def webhook_event_rows(
    *, session: Session, source: str = "", status: str = "", limit: int = 100
) -> list[WebhookEventRow]:
    """The latest webhook events, filtered by source and status."""
    query = select(WebhookEvent).order_by(WebhookEvent.received_at.desc()).limit(limit)
    if source:
        query = query.where(WebhookEvent.source == source)
    if status:
        query = query.where(WebhookEvent.status == status)
    return [
        WebhookEventRow(
            id=str(e.id),
            source=e.source,
            event_id=e.event_id,
            event_type=str(e.payload.get("type", ""))[:100],
            status=e.status,
            retry_count=e.retry_count,
            received_at=_when(e.received_at),
            last_error=mask_emails(e.last_error or "")[:300],
            replayable=e.status in REPLAYABLE,
        )
        for e in session.exec(query)
    ]


def redacted_payload(*, session: Session, event_id: UUID) -> str:
    """An event's payload as indented JSON with secrets redacted (truncated for display)."""
    event = session.get(WebhookEvent, event_id)
    if event is None:
        return ""
    text = json.dumps(redact(event.payload), indent=2, sort_keys=True, ensure_ascii=False)
    return text[:PAYLOAD_PREVIEW_CHARS]
