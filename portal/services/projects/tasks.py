"""Tasks: create, edit, assign, delete, and the status workflow (single and bulk)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.models import Milestone, Project, Task, Tenant, User
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.rows import get_milestone, get_project, get_task, insert_row
from portal.services.core.validation import (
    MAX_TITLE,
    check_within,
    clean_text,
    parse_date,
    parse_effort,
    parse_uuid,
)
from portal.services.notifications.events import on_task_assigned

TASK_STATUSES = ("pending", "in_progress", "in_review", "completed")
# The workflow: forward one step at a time, or one step back (reopen a completed task to review).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("in_progress",),
    "in_progress": ("in_review", "pending"),
    "in_review": ("completed", "in_progress"),
    "completed": ("in_review",),
}
STATUS_LABELS = {
    "pending": "Pending",
    "in_progress": "In progress",
    "in_review": "In review",
    "completed": "Completed",
}
MAX_DESCRIPTION, MAX_BULK = 20000, 200


def create_task(
    *,
    session: Session,
    milestone_id: UUID | str,
    title: str,
    description: str = "",
    assignee_id: UUID | str | None = None,
    due_date: date | str | None = None,
    effort_estimate: Decimal | float | str | None = None,
) -> Task:
    """Add a task under a milestone; the assignee and due date are checked against the project."""
    milestone = get_milestone(session=session, milestone_id=milestone_id)
    project = get_project(session=session, project_id=milestone.project_id)
    task = Task(tenant_id=milestone.tenant_id, milestone_id=milestone.id, title="")
    _apply_fields(session, project, task, title, description, due_date, effort_estimate)
    task.assignee_id = _check_assignee(session, project, assignee_id)
    return on_task_assigned(session=session, task=insert_row(session, task), previous=None)


def update_task(
    *,
    session: Session,
    task_id: UUID | str,
    title: str,
    description: str,
    due_date: date | str | None,
    effort_estimate: Decimal | float | str | None,
    assignee_id: UUID | str | None,
) -> Task:
    """Edit a task's fields and assignee (the status moves only through the workflow)."""
    task = get_task(session=session, task_id=task_id, for_update=True)
    previous = task.assignee_id  # notifications
    project = _project_of(session, task)
    _apply_fields(session, project, task, title, description, due_date, effort_estimate)
    task.assignee_id = _check_assignee(session, project, assignee_id)
    return on_task_assigned(session=session, task=insert_row(session, task), previous=previous)


def change_status(*, session: Session, task_id: UUID | str, status: str) -> Task:
    """Move a task one legal step through the workflow; completed_at follows the status."""
    task = get_task(session=session, task_id=task_id, for_update=True)
    _transition(task, status)
    return insert_row(session, task)


def bulk_change_status(*, session: Session, task_ids: list[str], status: str) -> int:
    """Move several tasks to `status`, all or none; returns how many changed."""
    ids = list(dict.fromkeys(str(parse_uuid(i)) for i in task_ids))
    if not ids:
        raise InvalidInput("Select at least one task.")
    if len(ids) > MAX_BULK:
        raise InvalidInput(f"Change at most {MAX_BULK} tasks at a time.")
    tasks = [get_task(session=session, task_id=i, for_update=True) for i in ids]
    changed = [task for task in tasks if task.status != status]
    for task in changed:
        _transition(task, status)
    session.flush()
    return len(changed)


def _transition(task: Task, status: str) -> None:
    if status not in TASK_STATUSES:
        raise InvalidInput(f"Unknown task status: {status}.")
    if status not in TRANSITIONS[task.status]:
        raise InvalidInput(
            f"“{task.title}” cannot move from {STATUS_LABELS[task.status]} "
            f"to {STATUS_LABELS[status]}."
        )
    task.status = status
    task.completed_at = func.now() if status == "completed" else None


def _project_of(session: Session, task: Task) -> Project:
    milestone = get_milestone(session=session, milestone_id=task.milestone_id)
    return get_project(session=session, project_id=milestone.project_id)


def _apply_fields(session, project, task, title, description, due_date, effort) -> None:  # type: ignore[no-untyped-def]
    task.title = clean_text(title, label="Task title", max_length=MAX_TITLE)
    task.description = clean_text(
        description, label="Description", max_length=MAX_DESCRIPTION, required=False
    )
    task.due_date = parse_date(due_date, label="Due date")
    check_within(task.due_date, project.start_date, project.end_date)
    task.effort_estimate = parse_effort(effort)


def _check_assignee(session: Session, project: Project, assignee_id) -> UUID | None:  # type: ignore[no-untyped-def]
    """An active, non-guest member of the project's tenant or of the studio that manages it.

    Studio users are visible only under the studio admin's scope; assigning is a studio-admin
    action (MANAGE_TASKS), so that is the scope this runs in. Elsewhere they read as unknown.
    """
    user_id = parse_uuid(assignee_id, required=False) if assignee_id else None
    if user_id is None:
        return None
    if user_id not in {UUID(option_id) for option_id, _ in assignee_options(session, project)}:
        raise NotFound("That assignee is not an active member of this project's team.")
    return user_id


def assignee_options(session: Session, project: Project) -> list[tuple[str, str]]:
    """(id, name) of the people a project's tasks may be assigned to, visible in this scope."""
    managed_by = session.scalar(select(Tenant.managed_by).where(Tenant.id == project.tenant_id))
    tenants = [project.tenant_id] + ([managed_by] if managed_by else [])
    rows = session.execute(
        select(User.id, User.name, User.email)
        .where(User.tenant_id.in_(tenants), User.status == "active", User.role != "guest")
        .order_by(func.lower(User.name), User.email)
    ).all()
    return [(str(uid), name or email) for uid, name, email in rows]


def milestone_options(session: Session, project_id: UUID) -> list[tuple[str, str]]:
    """(id, title) of a project's milestones in order."""
    rows = session.execute(
        select(Milestone.id, Milestone.title)
        .where(Milestone.project_id == project_id)
        .order_by(Milestone.sequence, Milestone.created_at)
    ).all()
    return [(str(mid), title) for mid, title in rows]
