"""comments, notifications and the append-only audit log."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from portal.models._base import id_field, jsonb_field, tenant_field, timestamp_field


# Feedback on a task or an asset (polymorphic parent); `meta` is the `metadata` column.
class Comment(SQLModel, table=True):
    __tablename__ = "comments"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    parent_type: str  # task | asset
    parent_id: UUID
    author_id: UUID | None = Field(default=None, foreign_key="users.id")
    # The first comment of the thread this one replies to (None for a thread's first comment).
    reply_to_id: UUID | None = None
    body: str
    meta: dict = jsonb_field("metadata")
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# Something a user should know about; unread while read_at is null.
class Notification(SQLModel, table=True):
    __tablename__ = "notifications"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    user_id: UUID = Field(foreign_key="users.id")
    type: str
    payload: dict = jsonb_field()
    delivered_at: datetime | None = timestamp_field(nullable=True)
    # Resend's id for the email sent about this notification, and what Resend last reported.
    email_message_id: str | None = None
    # queued | digest | skipped | failed (ours), then sent | delivered | bounced | complained
    email_status: str | None = None
    # Why the email was skipped or failed (shown with the notification's status).
    email_note: str | None = None
    read_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime | None = timestamp_field()


# One change to a key table, written by database triggers only; never updated or deleted.
class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_logs"

    id: UUID = Field(primary_key=True)
    created_at: datetime = Field(primary_key=True, sa_type=DateTime(timezone=True))
    tenant_id: UUID = tenant_field()
    actor_id: UUID | None = None
    action: str  # insert | update | delete
    entity_type: str
    entity_id: UUID
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONB)
    # The tenant's hash chain, filled in by the database at insert (migration 0009).
    chain_seq: int | None = None
    prev_hash: str | None = None
    row_hash: str | None = None
