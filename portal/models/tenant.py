"""tenants: Motion Mavericks (type admin) and the agencies it manages (type agency)."""

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from portal.models._base import id_field, jsonb_field, timestamp_field


# A studio or agency; the root of row-level security.
class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: UUID = id_field()
    name: str
    type: str  # admin | agency
    residency_policy: str = "AU"
    branding: dict = jsonb_field()
    managed_by: UUID | None = Field(default=None, foreign_key="tenants.id")
    status: str = "active"
    # Client files (upload requests) are deleted this many days after they arrive (None: kept).
    client_file_retention_days: int | None = None
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()
