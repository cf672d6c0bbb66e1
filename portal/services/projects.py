"""Projects and milestones: listing for dashboards, creation with clear conflict messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.models import Milestone, Project, Task, Tenant
from portal.services.common import insert_row
from portal.services.errors import InvalidInput

PROJECT_STATUSES = ("planning", "active", "on_hold", "completed", "archived")


@dataclass(frozen=True)
class ProjectSummary:
    """One row of the dashboard's project list (string ids, display-ready fields)."""

    id: str
    title: str
    client_name: str
    status: str
    tenant_name: str
    start_date: str
    end_date: str
    open_tasks: int
    overdue_tasks: int


def format_date(value: date | None) -> str:
    """en-AU display date, e.g. "25 Nov 2026" (empty when unset)."""
    return value.strftime("%-d %b %Y") if value else ""


def list_projects(*, session: Session, include_archived: bool = False) -> list[ProjectSummary]:
    """Projects visible in the session's tenant scope, newest first, with task counts."""
    counts = (
        select(
            Milestone.project_id.label("project_id"),
            func.count(Task.id).filter(Task.status != "completed").label("open_tasks"),
            func.count(Task.id).filter(Task.is_overdue).label("overdue_tasks"),  # type: ignore[attr-defined]
        )
        .join(Task, Task.milestone_id == Milestone.id)
        .group_by(Milestone.project_id)
        .subquery()
    )
    query = (
        select(Project, Tenant.name, counts.c.open_tasks, counts.c.overdue_tasks)
        .join(Tenant, Tenant.id == Project.tenant_id)
        .outerjoin(counts, counts.c.project_id == Project.id)
        .order_by(Project.created_at.desc(), Project.id.desc())
    )
    if not include_archived:
        query = query.where(Project.status != "archived")
    return [
        ProjectSummary(
            id=str(project.id),
            title=project.title,
            client_name=project.client_name,
            status=project.status,
            tenant_name=tenant_name,
            start_date=format_date(project.start_date),
            end_date=format_date(project.end_date),
            open_tasks=open_count or 0,
            overdue_tasks=overdue_count or 0,
        )
        for project, tenant_name, open_count, overdue_count in session.execute(query).all()
    ]


def create_project(
    *,
    session: Session,
    tenant_id: UUID,
    client_name: str,
    title: str,
    status: str = "active",
    start_date: date | None = None,
    end_date: date | None = None,
    created_by: UUID | None = None,
) -> Project:
    """Create a project in a tenant of the session's scope."""
    client_name, title = (client_name or "").strip(), (title or "").strip()
    if not title or not client_name:
        raise InvalidInput("A project needs a title and a client name.")
    if status not in PROJECT_STATUSES:
        raise InvalidInput(f"Unknown project status: {status}.")
    if start_date and end_date and end_date < start_date:
        raise InvalidInput("The end date must be on or after the start date.")
    project = Project(
        tenant_id=tenant_id,
        client_name=client_name,
        title=title,
        status=status,
        start_date=start_date,
        end_date=end_date,
        created_by=created_by,
    )
    return insert_row(session, project)


def create_milestone(
    *,
    session: Session,
    project_id: UUID,
    title: str,
    due_date: date | None = None,
    sequence: int | None = None,
) -> Milestone:
    """Add a milestone to a project; a duplicate title is refused with a clear message."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("A milestone needs a title.")
    project = session.get(Project, project_id)
    if project is None:
        raise InvalidInput("That project does not exist or is not available to you.")
    if sequence is None:
        last = session.scalar(
            select(func.max(Milestone.sequence)).where(Milestone.project_id == project_id)
        )
        sequence = 0 if last is None else last + 1
    milestone = Milestone(
        tenant_id=project.tenant_id,
        project_id=project_id,
        title=title,
        due_date=due_date,
        sequence=sequence,
    )
    return insert_row(session, milestone)
