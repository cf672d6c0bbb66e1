"""mail_outbox: emails kept locally when no email provider is configured."""

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from portal.models._base import id_field, timestamp_field


# One email the portal would have sent (shown on the dev mailbox page).
class OutboxEmail(SQLModel, table=True):
    __tablename__ = "mail_outbox"

    id: UUID = id_field()
    tenant_id: UUID | None = Field(default=None, foreign_key="tenants.id")
    to_address: str
    subject: str
    text_body: str
    html_body: str
    created_at: datetime | None = timestamp_field()
