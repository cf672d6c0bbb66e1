"""Rows in the session's scope: fetch one by id (another tenant's row reads as NotFound, by
RLS), insert or save one in a savepoint (a constraint violation becomes a clear domain error)."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from portal.models import Comment, Milestone, Project, Task
from portal.services.core.errors import Conflict, InvalidInput, NotFound, PortalError
from portal.services.core.validation import parse_uuid

RowT = TypeVar("RowT", bound=SQLModel)


# Constraint name -> what a user is told when it is violated.
CONSTRAINT_MESSAGES = {
    "uq_milestones_project_title": "A milestone with this title already exists in this project.",
    "uq_assets_project_version": "This version number already exists for this project.",
    "uq_assets_project_checksum": "This exact file was already uploaded to this project.",
    "uq_webhook_events_source_event": "This webhook event has already been received.",
    "uq_share_links_hashed_token": "That share link already exists.",
    "uq_users_login_email": "An account with this email already exists.",
    "uq_users_tenant_email": "A user with this email already exists in this tenant.",
    "uq_tenants_name": "A tenant with this name already exists.",
}


def from_integrity_error(exc: IntegrityError) -> PortalError:
    """Translate a database constraint violation into a domain error with a clear message."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    if name in CONSTRAINT_MESSAGES:
        return Conflict(CONSTRAINT_MESSAGES[name])
    if name.startswith("fk_") or name.endswith("_fkey"):
        return NotFound()
    return InvalidInput()


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


def get_project(*, session: Session, project_id: UUID | str) -> Project:
    """A project in scope, or NotFound."""
    project = session.get(Project, parse_uuid(project_id))
    if project is None:
        raise NotFound("That project does not exist or is not available to you.")
    return project


def get_milestone(*, session: Session, milestone_id: UUID | str) -> Milestone:
    """A milestone in scope, or NotFound."""
    milestone = session.get(Milestone, parse_uuid(milestone_id))
    if milestone is None:
        raise NotFound("That milestone does not exist or is not available to you.")
    return milestone


def get_task(*, session: Session, task_id: UUID | str, for_update: bool = False) -> Task:
    """A task in scope (row-locked when it is about to change), or NotFound."""
    task = session.get(Task, parse_uuid(task_id), with_for_update=for_update)
    if task is None:
        raise NotFound("That task does not exist or is not available to you.")
    return task


def get_comment(*, session: Session, comment_id: UUID | str) -> Comment:
    """A comment in scope, or NotFound."""
    comment = session.get(Comment, parse_uuid(comment_id), with_for_update=True)
    if comment is None:
        raise NotFound("That comment does not exist or is not available to you.")
    return comment
