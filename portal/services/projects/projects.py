"""Projects: list (search, filters, sort, pages), create, edit, archive (soft delete by status)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, func, literal, or_, select, tuple_
from sqlmodel import Session

from portal.models import Milestone, Project, Task, Tenant
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.locale import format_date, format_short_date, iso
from portal.services.core.rows import get_project, insert_row
from portal.services.core.validation import (
    MAX_TITLE,
    clean_text,
    parse_date,
    parse_uuid,
    reject_control,
)
from portal.services.projects.milestones import create_milestone
from portal.services.projects.view_types import PROJECT_STATUSES, ProjectSummary

SORTS = {
    "newest": (Project.created_at.desc(), Project.id.desc()),
    "title": (func.lower(Project.title), Project.id),
    "client": (func.lower(Project.client_name), Project.id),
    "end_date": (Project.end_date.asc().nulls_last(), Project.id),
}
# Keyset paging (the REST API's cursors): each sort's key, and whether it runs descending.
# `end_date` keys an undated project as 'infinity', which sorts where NULLS LAST puts it.
_KEYS: dict[str, tuple[Any, bool]] = {
    "newest": (Project.created_at, True),
    "title": (func.lower(Project.title), False),
    "client": (func.lower(Project.client_name), False),
    "end_date": (func.coalesce(Project.end_date, literal("infinity").cast(Date)), False),
}
_INFINITY = literal("infinity").cast(Date)
MAX_PAGE_SIZE = 100
# Kept importable from here for existing callers (demo data, tests).
__all__ = ["create_milestone", "create_project", "get_project", "list_projects"]


@dataclass(frozen=True)
class ProjectFilters:
    """What the list shows: free-text search, status ("" = all but archived), tenant, client."""

    search: str = ""
    status: str = ""
    tenant_id: str = ""
    client: str = ""
    # Only projects with at least one overdue task.
    overdue: bool = False
    sort: str = "newest"
    page: int = 1
    page_size: int = 25
    # A cursor from a previous page's `next_cursor`: continue after that row (keyset, not page).
    after: str = ""


@dataclass(frozen=True)
class ProjectPage:
    """One page of the list and whether another follows."""

    projects: list[ProjectSummary]
    page: int
    has_next: bool
    # The cursor of the next page ('' at the end): pass it back as `after`.
    next_cursor: str = ""


def _filtered(query, filters: ProjectFilters):  # type: ignore[no-untyped-def]
    """Apply the list filters to a query over Project."""
    if filters.status == "all":
        pass
    elif filters.status:
        if filters.status not in PROJECT_STATUSES:
            raise InvalidInput(f"Unknown project status: {filters.status}.")
        query = query.where(Project.status == filters.status)
    else:
        query = query.where(Project.status != "archived")
    if filters.tenant_id:
        query = query.where(Project.tenant_id == parse_uuid(filters.tenant_id))
    if reject_control(filters.client, label="Client").strip():
        query = query.where(func.lower(Project.client_name) == filters.client.strip().lower())
    if filters.overdue:
        late = (
            select(Milestone.project_id)
            .join(Task, Task.milestone_id == Milestone.id)
            .where(Task.status != "completed", Task.is_overdue)
        )
        query = query.where(Project.id.in_(late))
    search = reject_control(filters.search.strip()[:MAX_TITLE], label="Search")
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        query = query.where(or_(Project.title.ilike(pattern), Project.client_name.ilike(pattern)))
    return query


def _task_counts(session: Session, project_ids: list[UUID]) -> dict[UUID, tuple[int, int]]:
    """Open and overdue task counts for the given projects only (one page, not the tenant)."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(
            Milestone.project_id,
            func.count(Task.id).filter(Task.status != "completed"),
            func.count(Task.id).filter(Task.is_overdue),
        )
        .join(Task, Task.milestone_id == Milestone.id)
        .where(Milestone.project_id.in_(project_ids))
        .group_by(Milestone.project_id)
    ).all()
    return {pid: (open_, overdue) for pid, open_, overdue in rows}


def list_project_page(*, session: Session, filters: ProjectFilters) -> ProjectPage:
    """One page of the projects visible in the session's scope, with task counts."""
    if filters.sort not in SORTS:
        raise InvalidInput(f"Unknown sort: {filters.sort}.")
    size = max(1, min(filters.page_size, MAX_PAGE_SIZE))
    page = max(1, filters.page)
    query = _filtered(
        select(Project, Tenant.name).join(Tenant, Tenant.id == Project.tenant_id), filters
    )
    if filters.after:
        key, descending = _KEYS[filters.sort]
        value, after_id = _read_cursor(filters.after, filters.sort)
        bound = tuple_(key, Project.id)
        query = query.where(bound < (value, after_id) if descending else bound > (value, after_id))
        query = query.order_by(*SORTS[filters.sort]).limit(size + 1)
    else:
        query = query.order_by(*SORTS[filters.sort]).offset((page - 1) * size).limit(size + 1)
    rows = session.execute(query).all()
    counts = _task_counts(session, [project.id for project, _ in rows[:size]])
    projects = [_summary(p, name, counts.get(p.id, (0, 0))) for p, name in rows[:size]]
    has_next = len(rows) > size
    cursor = _cursor(rows[size - 1][0], filters.sort) if has_next else ""
    return ProjectPage(projects=projects, page=page, has_next=has_next, next_cursor=cursor)


def _cursor(project: Project, sort: str) -> str:
    """An opaque cursor naming the last row of a page under `sort`."""
    value: object
    if sort == "newest":
        value = project.created_at.isoformat() if project.created_at else ""
    elif sort == "title":
        value = project.title.lower()
    elif sort == "client":
        value = project.client_name.lower()
    else:
        value = project.end_date.isoformat() if project.end_date else "infinity"
    raw = json.dumps([sort, value, str(project.id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(cursor: str, sort: str) -> tuple[object, UUID]:
    """The (key, id) a cursor names; InvalidInput when it is malformed or from another sort."""
    bad = InvalidInput("That cursor is not valid for this list: start again without it.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, value, after_id = json.loads(raw)
        key_id = UUID(str(after_id))
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise bad from None
    if made_for != sort or not isinstance(value, str) or len(value) > 2 * MAX_TITLE:
        raise bad
    if sort == "newest":
        try:
            return datetime.fromisoformat(value), key_id
        except ValueError:
            raise bad from None
    if sort == "end_date":
        if value == "infinity":
            return _INFINITY, key_id
        try:
            return date.fromisoformat(value), key_id
        except ValueError:
            raise bad from None
    return value, key_id


def list_projects(*, session: Session, include_archived: bool = False) -> list[ProjectSummary]:
    """The first hundred projects in scope, newest first (dashboard and simple callers)."""
    filters = ProjectFilters(status="all" if include_archived else "", page_size=MAX_PAGE_SIZE)
    return list_project_page(session=session, filters=filters).projects


def _summary(project: Project, tenant_name: str, counts: tuple[int, int]) -> ProjectSummary:
    return ProjectSummary(
        id=str(project.id),
        title=project.title,
        client_name=project.client_name,
        status=project.status,
        tenant_name=tenant_name,
        start_date=format_date(project.start_date),
        end_date=format_date(project.end_date),
        open_tasks=counts[0] or 0,
        overdue_tasks=counts[1] or 0,
        tenant_id=str(project.tenant_id),
        start_input=format_short_date(project.start_date),
        end_input=format_short_date(project.end_date),
        start_iso=iso(project.start_date),
        end_iso=iso(project.end_date),
    )


def project_summary(*, session: Session, project_id: UUID | str) -> ProjectSummary:
    """Display data for one project."""
    project = get_project(session=session, project_id=project_id)
    tenant_name = session.scalar(select(Tenant.name).where(Tenant.id == project.tenant_id))
    counts = _task_counts(session, [project.id]).get(project.id, (0, 0))
    return _summary(project, tenant_name or "", counts)


def tenant_options(*, session: Session) -> list[tuple[str, str]]:
    """(id, name) of the tenants in the session's scope (tenants carry no RLS: filter here)."""
    rows = session.execute(
        select(Tenant.id, Tenant.name)
        .where(Tenant.id == func.any_(func.app_tenant_scope()))
        .order_by(Tenant.name)
    ).all()
    return [(str(tid), name) for tid, name in rows]


def _check_fields(client_name: str, title: str, status: str, start, end):  # type: ignore[no-untyped-def]
    client_name = clean_text(client_name, label="Client name", max_length=MAX_TITLE)
    title = clean_text(title, label="Title", max_length=MAX_TITLE)
    if status not in PROJECT_STATUSES:
        raise InvalidInput(f"Unknown project status: {status}.")
    start = parse_date(start, label="Start date")
    end = parse_date(end, label="End date")
    if start and end and end < start:
        raise InvalidInput("The end date must be on or after the start date.")
    return client_name, title, start, end


def create_project(
    *,
    session: Session,
    tenant_id: UUID | str,
    client_name: str,
    title: str,
    status: str = "active",
    start_date: date | str | None = None,
    end_date: date | str | None = None,
    created_by: UUID | None = None,
) -> Project:
    """Create a project in a tenant of the session's scope."""
    client_name, title, start, end = _check_fields(client_name, title, status, start_date, end_date)
    tenant = parse_uuid(tenant_id)
    if str(tenant) not in {tid for tid, _ in tenant_options(session=session)}:
        raise NotFound("That tenant does not exist or is not available to you.")
    project = Project(
        tenant_id=tenant,
        client_name=client_name,
        title=title,
        status=status,
        start_date=start,
        end_date=end,
        created_by=created_by,
    )
    return insert_row(session, project)


def update_project(
    *,
    session: Session,
    project_id: UUID | str,
    client_name: str,
    title: str,
    status: str,
    start_date: date | str | None,
    end_date: date | str | None,
) -> Project:
    """Edit a project; its dates must still hold every milestone and task due date."""
    project = get_project(session=session, project_id=project_id)
    client_name, title, start, end = _check_fields(client_name, title, status, start_date, end_date)
    _check_children_within(session, project.id, start, end)
    project.client_name, project.title, project.status = client_name, title, status
    project.start_date, project.end_date = start, end
    return insert_row(session, project)


def archive_project(*, session: Session, project_id: UUID | str) -> Project:
    """Archive a project (soft delete: it leaves the default lists, nothing is removed)."""
    project = get_project(session=session, project_id=project_id)
    project.status = "archived"
    return insert_row(session, project)


def _check_children_within(session: Session, project_id: UUID, start, end) -> None:  # type: ignore[no-untyped-def]
    """Refuse project dates that would leave a milestone or task due outside them."""
    bounds = session.execute(
        select(
            func.least(func.min(Milestone.due_date), func.min(Task.due_date)),
            func.greatest(func.max(Milestone.due_date), func.max(Task.due_date)),
        )
        .select_from(Milestone)
        .outerjoin(Task, Task.milestone_id == Milestone.id)
        .where(Milestone.project_id == project_id)
    ).one()
    first, last = bounds
    if start and first and first < start:
        raise InvalidInput(f"A milestone or task is due on {format_date(first)}, before the start.")
    if end and last and last > end:
        raise InvalidInput(f"A milestone or task is due on {format_date(last)}, after the end.")
