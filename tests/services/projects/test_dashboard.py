"""Dashboard figures: counts, overdue tasks, milestones due soon, chart rows, filters, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import tenant_session
from portal.services.core.errors import InvalidInput
from portal.services.core.locale import today
from portal.services.projects.dashboard import DashboardFilters, load_dashboard
from portal.services.projects.milestones import create_milestone
from portal.services.projects.tasks import change_status, create_task
from tests.factories import Studio, make_graph, make_studio


def _fill(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        soon = create_milestone(
            session=session,
            project_id=studio.project.id,
            title="Soon",
            due_date=today() + timedelta(days=3),
        )
        create_milestone(
            session=session,
            project_id=studio.project.id,
            title="Later",
            due_date=today() + timedelta(days=20),
        )
        late = create_task(
            session=session,
            milestone_id=soon.id,
            title="Late",
            due_date=today() - timedelta(days=2),
        )
        create_task(session=session, milestone_id=soon.id, title="Fine")
        change_status(session=session, task_id=late.id, status="in_progress")


def test_member_dashboard(studio: Studio) -> None:
    _fill(studio)
    make_graph()  # another tenant's data never counts
    with tenant_session(studio.member_ctx) as session:
        board = load_dashboard(session=session, filters=DashboardFilters())
    assert board.status_counts["active"] == 1 and sum(board.status_counts.values()) == 1
    assert board.overdue_count == 1 and [t.title for t in board.overdue_tasks] == ["Late"]
    assert [m.title for m in board.due_soon] == ["Soon"]
    assert board.tasks_by_project == [
        {
            "project": studio.project.title[:24],
            "pending": 1,
            "in_progress": 1,
            "in_review": 0,
            "completed": 0,
        }
    ]
    assert sum(r["open"] for r in board.milestone_progress) == 2


def test_admin_filters_by_tenant_and_status(studio: Studio) -> None:
    _fill(studio)
    second = make_studio()  # a different studio: never in this admin's scope
    with tenant_session(studio.admin_ctx) as session:
        everything = load_dashboard(session=session, filters=DashboardFilters())
        mine = load_dashboard(
            session=session, filters=DashboardFilters(tenant_id=str(studio.agency.id))
        )
        planning = load_dashboard(session=session, filters=DashboardFilters(status="planning"))
        with pytest.raises(InvalidInput):
            load_dashboard(session=session, filters=DashboardFilters(status="nope"))
    assert everything.status_counts["active"] == 1 == mine.status_counts["active"]
    assert planning.overdue_count == 0 and planning.due_soon == []
    with tenant_session(second.admin_ctx) as session:
        other = load_dashboard(
            session=session, filters=DashboardFilters(tenant_id=str(studio.agency.id))
        )
    assert other.status_counts["active"] == 0 and other.overdue_count == 0


def test_empty_dashboard(database) -> None:
    fresh = make_studio()
    with tenant_session(fresh.member_ctx) as session:
        board = load_dashboard(session=session, filters=DashboardFilters())
    assert board.overdue_tasks == [] and board.due_soon == [] and board.tasks_by_project == []
