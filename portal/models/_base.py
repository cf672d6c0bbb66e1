"""Column helpers shared by the table models (the schema itself is built by Alembic)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field
from uuid_utils.compat import uuid7


def new_id() -> UUID:
    """A time-ordered UUIDv7 primary key."""
    return uuid7()


def id_field() -> Any:
    return Field(default_factory=new_id, primary_key=True)


def tenant_field() -> Any:
    return Field(foreign_key="tenants.id", index=True)


def timestamp_field(*, nullable: bool = False) -> Any:
    """A timestamptz column; non-null ones default to now() in the database."""
    if nullable:
        return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)
    return Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )


def jsonb_field(name: str | None = None) -> Any:
    kwargs: dict[str, Any] = {"server_default": "{}", "nullable": False}
    if name:
        kwargs["name"] = name
    return Field(default_factory=dict, sa_type=JSONB, sa_column_kwargs=kwargs)


__all__ = ["datetime", "id_field", "jsonb_field", "new_id", "tenant_field", "timestamp_field"]
