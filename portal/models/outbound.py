"""Outbound webhooks: the endpoints a tenant registered and each delivery to them."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from portal.models._base import id_field, timestamp_field


# Where a tenant's events go; `secret` is encrypted with the portal's secret key.
class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: UUID = id_field()
    tenant_id: UUID
    url: str
    events: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    secret: str
    status: str = "active"  # active | disabled
    consecutive_failures: int = 0
    created_by: UUID | None = None
    created_at: datetime | None = timestamp_field()
    disabled_at: datetime | None = timestamp_field(nullable=True)


# One event sent (or to be sent) to one endpoint, and what its last attempt got back.
class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"

    id: UUID = id_field()
    tenant_id: UUID
    endpoint_id: UUID
    event_type: str
    payload: Any = Field(sa_type=JSONB)
    status: str = "pending"  # pending | succeeded | failed | dead
    attempts: int = 0
    response_status: int | None = None
    latency_ms: int | None = None
    response_excerpt: str | None = None
    last_error: str | None = None
    created_at: datetime | None = timestamp_field()
    last_attempt_at: datetime | None = timestamp_field(nullable=True)
    next_attempt_at: datetime | None = timestamp_field(nullable=True)
