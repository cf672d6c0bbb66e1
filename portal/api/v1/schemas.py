"""The request and response bodies of /api/v1 (they are the OpenAPI document's schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; null on the last page."
    )


class ProjectOut(BaseModel):
    id: UUID
    tenant_id: UUID
    tenant_name: str
    title: str
    client_name: str
    status: str
    start_date: date | None
    end_date: date | None
    open_tasks: int
    overdue_tasks: int


class VersionOut(BaseModel):
    id: UUID
    project_id: UUID
    title: str
    number: int = Field(description="1 for the first version of the deliverable, and so on.")
    status: Literal["uploading", "processing", "ready", "errored", "deleted"]
    review_status: Literal["in_review", "changes_requested", "approved"]
    reviewed_at: datetime | None
    reviewed_by: UUID | None
    duration_seconds: float | None
    frame_rate: float | None
    filename: str
    created_at: datetime | None


class DeliverableOut(BaseModel):
    title: str
    latest_version_id: UUID
    versions: list[VersionOut]


class CommentOut(BaseModel):
    id: UUID
    version_id: UUID
    reply_to_id: UUID | None
    author_name: str
    body: str
    timecode_seconds: float | None
    end_seconds: float | None
    frame: int | None
    timecode: str | None = Field(description="HH:MM:SS:FF at the version's frame rate.")
    resolved: bool
    drawing: dict[str, Any] | None
    created_at: datetime | None


class CommentIn(Strict):
    body: StrictStr = Field(min_length=1, max_length=10000)
    timecode_seconds: StrictFloat | None = Field(
        default=None, ge=0, le=86400, description="Where the comment sits (default 0)."
    )
    end_seconds: StrictFloat | None = Field(
        default=None, ge=0, le=86400, description="End of a range (after the start)."
    )
    reply_to_id: UUID | None = None
    drawing: dict[str, Any] | None = Field(
        default=None, description="A drawing on the frame, as in docs/annotations.md."
    )


class DecisionIn(Strict):
    decision: Literal["approved", "changes_requested", "in_review"]
    confirm_old_version: StrictBool = Field(
        default=False, description="Approve a version that is not the latest."
    )


class ShareLinkOut(BaseModel):
    id: UUID
    version_id: UUID
    name: str
    status: Literal["active", "expired", "revoked", "exhausted"]
    expires_at: datetime | None
    view_count: int
    view_limit: int | None
    last_viewed_at: datetime | None
    passcode_set: bool
    allow_comments: bool
    allow_download: bool
    watermark: bool
    created_at: datetime | None


class ShareLinkCreated(ShareLinkOut):
    url: str = Field(description="The link: shown in this answer only, never again.")


class ShareLinkIn(Strict):
    name: StrictStr = Field(default="", max_length=200)
    expires_in_days: StrictInt | None = Field(default=None, ge=1, le=365)
    passcode: StrictStr | None = Field(default=None, min_length=1, max_length=200)
    view_limit: StrictInt | None = Field(default=None, ge=1, le=1_000_000)
    allow_comments: StrictBool = False
    allow_download: StrictBool = False
    watermark: StrictBool = False


class NotificationOut(BaseModel):
    id: UUID
    type: str
    title: str
    excerpt: str
    link: str
    created_at: datetime | None
    read_at: datetime | None


class AuditEntryOut(BaseModel):
    key: str
    when: str
    tenant: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    summary: str


class JobRunOut(BaseModel):
    id: UUID
    job_name: str
    started_at: datetime | None
    completed_at: datetime | None
    result: str


class TenantOut(BaseModel):
    id: UUID
    name: str
    type: str
    residency_policy: str
    status: str
    users: int
    projects: int


class UserOut(BaseModel):
    id: UUID
    name: str
    email: str
    role: str
    status: str
    tenant_id: UUID
    tenant_name: str


class InviteIn(Strict):
    tenant_id: UUID
    email: StrictStr = Field(min_length=3, max_length=320)
    name: StrictStr = Field(default="", max_length=200)
    role: Literal["agency", "admin"] = "agency"


class Created(BaseModel):
    id: UUID


class WebhookEndpointOut(BaseModel):
    id: UUID
    url: str
    events: list[str]
    status: Literal["active", "disabled"]
    consecutive_failures: int
    created_at: datetime | None
    disabled_at: datetime | None


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (whsec_…): in this answer only.")


class WebhookEndpointIn(Strict):
    url: StrictStr = Field(min_length=8, max_length=2000)
    events: list[Literal["version.approved", "version.changes_requested", "comment.created"]] = (
        Field(min_length=1, max_length=10)
    )


class WebhookDeliveryOut(BaseModel):
    id: UUID
    endpoint_id: UUID
    event_type: str
    status: Literal["pending", "succeeded", "failed", "dead"]
    attempts: int
    response_status: int | None
    latency_ms: int | None
    response_excerpt: str | None
    last_error: str | None
    created_at: datetime | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
