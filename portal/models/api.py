"""Personal access tokens of the REST API and the stored answers of idempotent creates."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from portal.models._base import id_field, timestamp_field


# A personal access token (only its SHA-256 is stored); scopes like "projects:read".
class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: UUID = id_field()
    tenant_id: UUID
    user_id: UUID = Field(foreign_key="users.id")
    name: str
    token_hash: str
    prefix: str
    scopes: list[str] = Field(default_factory=list, sa_type=ARRAY(Text))
    created_at: datetime | None = timestamp_field()
    expires_at: datetime | None = timestamp_field(nullable=True)
    last_used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)
    revoked_by: UUID | None = None


# The answer given to a create made with an Idempotency-Key, per token and key.
class ApiIdempotencyKey(SQLModel, table=True):
    __tablename__ = "api_idempotency_keys"

    tenant_id: UUID
    token_id: UUID = Field(primary_key=True)
    key: str = Field(primary_key=True)
    request_hash: str
    status_code: int | None = None
    response: Any = Field(default=None, sa_type=JSONB)
    created_at: datetime | None = timestamp_field()
