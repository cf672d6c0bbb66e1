"""Task lists for pages: a project's tasks and "my tasks" across projects (display data)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import case, select
from sqlmodel import Session

from portal.models import Milestone, Project, Task, User
from portal.services.core.locale import format_date, format_datetime, format_short_date
from portal.services.core.rows import get_project
from portal.services.projects.tasks import STATUS_LABELS, TASK_STATUSES, TRANSITIONS
from portal.services.projects.view_types import StatusOption, TaskView

MAX_ROWS = 500


def task_query():  # type: ignore[no-untyped-def]
    return (
        select(
            Task,
            Task.is_overdue,  # type: ignore[attr-defined]
            Milestone.title,
            Project.id,
            Project.title,
            User.name,
            User.email,
        )
        .join(Milestone, Milestone.id == Task.milestone_id)
        .join(Project, Project.id == Milestone.project_id)
        # Studio assignees are invisible to agency users (RLS): the name then reads "Studio team".
        .outerjoin(User, User.id == Task.assignee_id)
    )


def task_view(row) -> TaskView:  # type: ignore[no-untyped-def]
    task, overdue, milestone_title, project_id, project_title, name, email = row
    assignee = (name or email or "Studio team") if task.assignee_id else "Unassigned"
    return TaskView(
        id=str(task.id),
        title=task.title,
        description=task.description,
        status=task.status,
        status_label=STATUS_LABELS[task.status],
        assignee_id=str(task.assignee_id or ""),
        assignee_name=assignee,
        due_date=format_date(task.due_date),
        due_input=format_short_date(task.due_date),
        overdue=bool(overdue),
        effort="" if task.effort_estimate is None else f"{task.effort_estimate.normalize():f}",
        completed_at=format_datetime(task.completed_at),
        milestone_id=str(task.milestone_id),
        milestone_title=milestone_title,
        project_id=str(project_id),
        project_title=project_title,
        next_statuses=[
            StatusOption(
                s, STATUS_LABELS[s], TASK_STATUSES.index(s) > TASK_STATUSES.index(task.status)
            )
            for s in TRANSITIONS[task.status]
        ],
    )


def project_tasks(*, session: Session, project_id: UUID | str) -> list[TaskView]:
    """A project's tasks by milestone order, then due date."""
    project = get_project(session=session, project_id=project_id)
    query = (
        task_query()
        .where(Milestone.project_id == project.id)
        .order_by(Milestone.sequence, Task.due_date.asc().nulls_last(), Task.created_at)
        .limit(MAX_ROWS)
    )
    return [task_view(row) for row in session.execute(query).all()]


def my_tasks(*, session: Session, user_id: UUID, include_completed: bool = False) -> list[TaskView]:
    """Tasks assigned to a user across the projects in scope: overdue first, then by due date."""
    query = task_query().where(Task.assignee_id == user_id)
    if not include_completed:
        query = query.where(Task.status != "completed")
    query = query.order_by(
        case((Task.is_overdue, 0), else_=1),  # type: ignore[attr-defined]
        Task.due_date.asc().nulls_last(),
        Task.created_at,
    ).limit(MAX_ROWS)
    return [task_view(row) for row in session.execute(query).all()]
