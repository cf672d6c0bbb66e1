"""Dashboard figures for the session's scope: counts, overdue tasks, milestones due, charts.

Everything comes from one statement: the projects, milestones and tasks in scope are read once
each (one tenant-indexed range under RLS, plus the explicit tenant filter when one is chosen)
into materialized CTEs, and every figure is computed from those. Separate queries per figure
multiplied RLS sub-plans, round trips and misestimated join plans (see BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import Session

from portal.models import Task
from portal.services.core.errors import InvalidInput
from portal.services.core.locale import format_date, format_month, today
from portal.services.core.validation import parse_uuid, reject_control
from portal.services.projects.projects import PROJECT_STATUSES
from portal.services.projects.task_lists import TaskView, task_view
from portal.services.projects.view_types import DueMilestone

DUE_SOON_DAYS = 14
CHART_PROJECTS = 8
LIST_LIMIT = 10
TASK_STATUSES = ("pending", "in_progress", "in_review", "completed")


@dataclass(frozen=True)
class DashboardFilters:
    """Admins narrow the dashboard by tenant, project status and client ("" = all)."""

    tenant_id: str = ""
    status: str = ""
    client: str = ""


@dataclass
class Dashboard:
    """Everything the dashboard shows; chart rows are plain dicts for recharts."""

    status_counts: dict[str, int]
    overdue_count: int
    overdue_tasks: list[TaskView]
    due_soon: list[DueMilestone]
    tasks_by_project: list[dict[str, str | int]]
    milestone_progress: list[dict[str, str | int]]


# {tenant} is "" or an explicit tenant filter per table (RLS applies either way); {client} and
# {status} are fixed fragments; every value is a bound parameter.
_FIGURES = """
WITH p AS MATERIALIZED (
  SELECT id, title, status FROM projects WHERE TRUE{tenant_p}{client}
), sp AS MATERIALIZED (
  SELECT id, title FROM p WHERE {status}
), m AS MATERIALIZED (
  SELECT m.id, m.project_id, sp.title AS project_title, m.title, m.due_date, m.status
  FROM milestones m JOIN sp ON sp.id = m.project_id WHERE TRUE{tenant_m}
), t AS MATERIALIZED (
  SELECT t.id, m.project_id, m.project_title, m.title AS milestone_title, t.status, t.due_date
  FROM tasks t JOIN m ON m.id = t.milestone_id WHERE TRUE{tenant_t}
), overdue AS (
  SELECT id, due_date, project_id, project_title, milestone_title FROM t
  WHERE status <> 'completed' AND due_date < (SELECT app_today())
)
SELECT
  (SELECT coalesce(json_object_agg(status, n), '{{}}')
   FROM (SELECT status, count(*) AS n FROM p GROUP BY status) c) AS status_counts,
  (SELECT count(*) FROM overdue) AS overdue_count,
  (SELECT coalesce(json_agg(o ORDER BY o.due_date, o.id), '[]') FROM (
     SELECT t.id, t.title, t.description, t.status, t.assignee_id, t.due_date, t.completed_at,
            t.effort_estimate::text AS effort, t.milestone_id, od.milestone_title,
            od.project_id, od.project_title, u.name AS user_name, u.email AS user_email
     FROM (SELECT * FROM overdue ORDER BY due_date, id LIMIT :list_limit) od
     JOIN tasks t ON t.id = od.id{tenant_t}
     LEFT JOIN users u ON u.id = t.assignee_id) o) AS overdue_tasks,
  (SELECT coalesce(json_agg(d ORDER BY d.due_date, d.id), '[]') FROM (
     SELECT m.id, m.title, m.project_id, m.project_title, m.due_date, m.status
     FROM m WHERE m.status <> 'completed' AND m.due_date >= :soon_from AND m.due_date <= :soon_to
     ORDER BY m.due_date, m.id LIMIT :list_limit) d) AS due_soon,
  (SELECT coalesce(json_agg(b ORDER BY b.open DESC, b.title), '[]') FROM (
     SELECT project_title AS title,
            count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
            count(*) FILTER (WHERE status = 'in_review') AS in_review,
            count(*) FILTER (WHERE status = 'completed') AS completed,
            count(*) FILTER (WHERE status <> 'completed') AS open
     FROM t GROUP BY project_id, project_title
     ORDER BY open DESC, project_title LIMIT :chart_projects) b) AS tasks_by_project,
  (SELECT coalesce(json_agg(g ORDER BY g.month), '[]') FROM (
     SELECT date_trunc('month', due_date) AS month,
            count(*) FILTER (WHERE status = 'completed') AS completed,
            count(*) FILTER (WHERE status <> 'completed') AS open
     FROM m WHERE due_date >= :progress_from AND due_date < :progress_to GROUP BY 1) g)
    AS milestone_progress
"""


def _statement(filters: DashboardFilters) -> tuple[Any, dict[str, Any]]:
    """The figures statement for these filters, and its parameters."""
    first = today().replace(day=1)
    params: dict[str, Any] = {
        "list_limit": LIST_LIMIT,
        "chart_projects": CHART_PROJECTS,
        "soon_from": today(),
        "soon_to": today() + timedelta(days=DUE_SOON_DAYS),
        "progress_from": (first - timedelta(days=85)).replace(day=1),
        "progress_to": (first + timedelta(days=100)).replace(day=1),
    }
    fragments = dict.fromkeys(("tenant_p", "tenant_m", "tenant_t", "client"), "")
    if filters.tenant_id:
        # Explicit as well as RLS: one tenant-leading index range per table, same rows.
        params["tenant"] = parse_uuid(filters.tenant_id)
        fragments |= {
            "tenant_p": " AND tenant_id = :tenant",
            "tenant_m": " AND m.tenant_id = :tenant",
            "tenant_t": " AND t.tenant_id = :tenant",
        }
    if filters.status:
        if filters.status not in PROJECT_STATUSES:
            raise InvalidInput(f"Unknown project status: {filters.status}.")
        params["status"] = filters.status
        fragments["status"] = "status = :status"
    else:
        fragments["status"] = "status <> 'archived'"
    if reject_control(filters.client, label="Client").strip():
        params["client"] = filters.client.strip().lower()
        fragments["client"] = " AND lower(client_name) = :client"
    return text(_FIGURES.format(**fragments)), params


def load_dashboard(*, session: Session, filters: DashboardFilters) -> Dashboard:
    """All dashboard figures in one statement (RLS decides the tenants)."""
    statement, params = _statement(filters)
    row = session.execute(statement, params).one()
    return Dashboard(
        status_counts=dict.fromkeys(PROJECT_STATUSES, 0) | row.status_counts,
        overdue_count=row.overdue_count,
        overdue_tasks=[_overdue_task(item) for item in row.overdue_tasks],
        due_soon=[_due_milestone(item) for item in row.due_soon],
        tasks_by_project=[
            {"project": item["title"][:24], **{s: item[s] for s in TASK_STATUSES}}
            for item in row.tasks_by_project
        ],
        milestone_progress=[
            {
                "month": format_month(date.fromisoformat(item["month"][:10])),
                "completed": item["completed"],
                "open": item["open"],
            }
            for item in row.milestone_progress
        ],
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def _overdue_task(item: dict[str, Any]) -> TaskView:
    """A TaskView from the statement's JSON (an overdue task is overdue by definition)."""
    task = Task(
        id=UUID(item["id"]),
        title=item["title"],
        description=item["description"],
        status=item["status"],
        assignee_id=_uuid(item["assignee_id"]),
        due_date=_day(item["due_date"]),
        completed_at=datetime.fromisoformat(item["completed_at"]) if item["completed_at"] else None,
        effort_estimate=Decimal(item["effort"]) if item["effort"] is not None else None,
        milestone_id=UUID(item["milestone_id"]),
    )
    return task_view(
        (
            task,
            True,
            item["milestone_title"],
            item["project_id"],
            item["project_title"],
            item["user_name"],
            item["user_email"],
        )
    )


def _due_milestone(item: dict[str, Any]) -> DueMilestone:
    return DueMilestone(
        item["id"],
        item["title"],
        item["project_id"],
        item["project_title"],
        format_date(_day(item["due_date"])),
        item["status"],
    )
