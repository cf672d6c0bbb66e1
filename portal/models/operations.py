"""Operational tables: residency evidence, inbound webhook events, the job ledger."""

from datetime import datetime
from uuid import UUID

from sqlmodel import SQLModel

from portal.models._base import id_field, jsonb_field, tenant_field, timestamp_field


# A generated residency report and the SHA-256 that proves it unaltered.
class ResidencyEvidence(SQLModel, table=True):
    __tablename__ = "residency_evidence"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    generated_at: datetime | None = timestamp_field()
    report_url: str
    checksum: str


# An inbound Mux/Resend event, stored before processing; (source, event_id) is unique.
class WebhookEvent(SQLModel, table=True):
    __tablename__ = "webhook_events"

    id: UUID = id_field()
    source: str  # mux | resend
    event_id: str
    payload: dict = jsonb_field()
    status: str = "received"  # received | processing | processed | failed | dead | ignored
    received_at: datetime | None = timestamp_field()
    processed_at: datetime | None = timestamp_field(nullable=True)
    retry_count: int = 0
    last_error: str | None = None
    # When a failed (or never picked up) event is due for its next attempt.
    next_attempt_at: datetime | None = timestamp_field(nullable=True)


# One run of a background job.
class JobRun(SQLModel, table=True):
    __tablename__ = "job_runs"

    id: UUID = id_field()
    job_name: str
    started_at: datetime | None = timestamp_field()
    completed_at: datetime | None = timestamp_field(nullable=True)
    result: str = "running"  # running | succeeded | failed | skipped
    meta: dict = jsonb_field("metadata")
