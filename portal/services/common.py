"""Helpers shared by services."""

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from portal.services.errors import from_integrity_error

RowT = TypeVar("RowT", bound=SQLModel)


def insert_row(session: Session, row: RowT) -> RowT:
    """Insert in a savepoint: a constraint violation becomes a clear domain error and leaves
    the surrounding transaction usable (nothing half-written)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise from_integrity_error(exc) from exc
    return row


def save_row(session: Session, row: RowT) -> RowT:
    """Flush a changed row the same way (savepoint; a violation becomes a clear domain error)."""
    return insert_row(session, row)
