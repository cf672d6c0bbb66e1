"""Dashboard figures for the session's scope: counts, overdue tasks, milestones due, charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from portal.models import Milestone, Project, Task
from portal.services.errors import InvalidInput
from portal.services.locale import format_date, today
from portal.services.projects import PROJECT_STATUSES
from portal.services.task_lists import TaskView, task_query, task_view
from portal.services.validation import parse_uuid

DUE_SOON_DAYS = 14
CHART_PROJECTS = 8
LIST_LIMIT = 10


@dataclass(frozen=True)
class DashboardFilters:
    """Admins narrow the dashboard by tenant, project status and client ("" = all)."""

    tenant_id: str = ""
    status: str = ""
    client: str = ""


@dataclass(frozen=True)
class DueMilestone:
    """A milestone due in the next two weeks."""

    id: str
    title: str
    project_id: str
    project_title: str
    due_date: str
    status: str


@dataclass
class Dashboard:
    """Everything the dashboard shows; chart rows are plain dicts for recharts."""

    status_counts: dict[str, int]
    overdue_count: int
    overdue_tasks: list[TaskView]
    due_soon: list[DueMilestone]
    tasks_by_project: list[dict[str, str | int]]
    milestone_progress: list[dict[str, str | int]]


def _projects(filters: DashboardFilters, query, *, with_status: bool = True, also=()):  # type: ignore[no-untyped-def]
    """Restrict a query that already involves Project to the filters; a tenant filter applies
    to every table named in `also` too (each carries tenant_id), so each is one index range."""
    if filters.tenant_id:
        tenant = parse_uuid(filters.tenant_id)
        query = query.where(Project.tenant_id == tenant)
        for model in also:
            query = query.where(model.tenant_id == tenant)
    if with_status and filters.status:
        if filters.status not in PROJECT_STATUSES:
            raise InvalidInput(f"Unknown project status: {filters.status}.")
        query = query.where(Project.status == filters.status)
    elif with_status:
        query = query.where(Project.status != "archived")
    if filters.client.strip():
        query = query.where(func.lower(Project.client_name) == filters.client.strip().lower())
    return query


def load_dashboard(*, session: Session, filters: DashboardFilters) -> Dashboard:
    """All dashboard figures in one transaction (RLS decides the tenants)."""
    counts_query = _projects(
        filters, select(Project.status, func.count()).group_by(Project.status), with_status=False
    )
    counts = dict.fromkeys(PROJECT_STATUSES, 0) | dict(session.execute(counts_query).all())
    overdue_filter = Task.is_overdue  # type: ignore[attr-defined]
    overdue_count = session.scalar(
        _projects(
            filters,
            select(func.count(Task.id))
            .join(Milestone, Milestone.id == Task.milestone_id)
            .join(Project, Project.id == Milestone.project_id)
            .where(Task.status != "completed", overdue_filter),
            also=(Task, Milestone),
        )
    )
    overdue = session.execute(
        _projects(
            filters,
            task_query().where(Task.status != "completed", overdue_filter),
            also=(Task, Milestone),
        )
        .order_by(Task.due_date, Task.id)
        .limit(LIST_LIMIT)
    ).all()
    return Dashboard(
        status_counts=counts,
        overdue_count=overdue_count or 0,
        overdue_tasks=[task_view(row) for row in overdue],
        due_soon=_due_soon(session, filters),
        tasks_by_project=_tasks_by_project(session, filters),
        milestone_progress=_milestone_progress(session, filters),
    )


def _due_soon(session: Session, filters: DashboardFilters) -> list[DueMilestone]:
    start = today()
    query = _projects(
        filters,
        select(Milestone, Project.title)
        .join(Project, Project.id == Milestone.project_id)
        .where(
            Milestone.status != "completed",
            Milestone.due_date >= start,
            Milestone.due_date <= start + timedelta(days=DUE_SOON_DAYS),
        ),
        also=(Milestone,),
    ).order_by(Milestone.due_date, Milestone.id)
    return [
        DueMilestone(
            str(m.id), m.title, str(m.project_id), title, format_date(m.due_date), m.status
        )
        for m, title in session.execute(query.limit(LIST_LIMIT)).all()
    ]


def _tasks_by_project(session: Session, filters: DashboardFilters) -> list[dict[str, str | int]]:
    """Task counts by status for the projects with the most open tasks."""
    statuses = ("pending", "in_progress", "in_review", "completed")
    columns = [func.count().filter(Task.status == s).label(s) for s in statuses]
    open_count = func.count().filter(Task.status != "completed")
    query = _projects(
        filters,
        select(Project.title, *columns)
        .join(Milestone, Milestone.project_id == Project.id)
        .join(Task, Task.milestone_id == Milestone.id)
        .group_by(Project.id, Project.title),
        also=(Task, Milestone),
    ).order_by(open_count.desc(), Project.title)
    return [
        {"project": row[0][:24], **dict(zip(statuses, row[1:], strict=True))}
        for row in session.execute(query.limit(CHART_PROJECTS)).all()
    ]


def _milestone_progress(session: Session, filters: DashboardFilters) -> list[dict[str, str | int]]:
    """Milestones completed vs still open, by month due, from three months back to three ahead."""
    first = today().replace(day=1)
    start = (first - timedelta(days=85)).replace(day=1)
    end = (first + timedelta(days=100)).replace(day=1)
    month = func.date_trunc("month", Milestone.due_date)
    query = _projects(
        filters,
        select(
            month,
            func.count().filter(Milestone.status == "completed"),
            func.count().filter(Milestone.status != "completed"),
        )
        .join(Project, Project.id == Milestone.project_id)
        .where(Milestone.due_date >= start, Milestone.due_date < end)
        .group_by(month),
        also=(Milestone,),
    ).order_by(month)
    return [
        {"month": when.strftime("%b %Y"), "completed": done, "open": open_}
        for when, done, open_ in session.execute(query).all()
    ]
