"""Tasks: create/edit/assign, the status workflow (legal and illegal), bulk, my tasks, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import tenant_session
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.projects.task_lists import my_tasks, project_tasks
from portal.services.projects.tasks import (
    bulk_change_status,
    change_status,
    create_task,
    update_task,
)
from tests.factories import END, START, Studio, make_graph, make_user


def _task(studio: Studio, milestone, **kwargs):
    with tenant_session(studio.admin_ctx) as session:
        return create_task(session=session, milestone_id=milestone.id, title="Cut", **kwargs)


def test_create_with_agency_or_studio_assignee(studio: Studio, milestone) -> None:
    mine = _task(studio, milestone, assignee_id=str(studio.member.id), effort_estimate="2.5")
    studio_task = _task(studio, milestone, assignee_id=studio.admin.id, due_date=END)
    assert mine.assignee_id == studio.member.id and str(mine.effort_estimate) == "2.50"
    with tenant_session(studio.member_ctx) as session:
        rows = {t.id: t for t in project_tasks(session=session, project_id=studio.project.id)}
    assert rows[str(mine.id)].assignee_name == "Sam Member"
    # The agency cannot see studio users (RLS), so the studio assignee shows as the team.
    assert rows[str(studio_task.id)].assignee_name == "Studio team"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"due_date": START - timedelta(days=1)}, "before the project starts"),
        ({"due_date": END + timedelta(days=1)}, "after the project ends"),
        ({"effort_estimate": "lots"}, "number of hours"),
        ({"effort_estimate": "-1"}, "between 0 and"),
        ({"description": "x" * 20001}, "at most 20000"),
    ],
)
def test_bad_input_is_refused(studio: Studio, milestone, kwargs, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        _task(studio, milestone, **kwargs)


def test_bad_assignees_are_refused(studio: Studio, milestone) -> None:
    other = make_graph()
    guest = make_user(tenant=studio.agency, role="guest")
    gone = make_user(tenant=studio.agency, status="deactivated")
    for assignee in (other.user.id, guest.id, gone.id, "0190b0f0-0000-7000-8000-000000000000"):
        with pytest.raises(NotFound, match="not an active member"):
            _task(studio, milestone, assignee_id=assignee)


def test_workflow_sets_and_clears_completed_at(studio: Studio, milestone) -> None:
    task = _task(studio, milestone)
    with tenant_session(studio.member_ctx) as session:
        for status in ("in_progress", "in_review", "completed"):
            change_status(session=session, task_id=task.id, status=status)
        done = project_tasks(session=session, project_id=studio.project.id)[0]
        assert done.status == "completed" and done.completed_at
        change_status(session=session, task_id=task.id, status="in_review")
        reopened = project_tasks(session=session, project_id=studio.project.id)[0]
        assert reopened.completed_at == "" and [s.value for s in reopened.next_statuses] == [
            "completed",
            "in_progress",
        ]


@pytest.mark.parametrize("target", ["completed", "in_review", "done"])
def test_illegal_transitions_are_refused(studio: Studio, milestone, target) -> None:
    task = _task(studio, milestone)
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match="cannot move|Unknown task status"):
            change_status(session=session, task_id=task.id, status=target)


def test_bulk_change_is_all_or_nothing(studio: Studio, milestone) -> None:
    a, b = _task(studio, milestone), _task(studio, milestone)
    with tenant_session(studio.member_ctx) as session:
        assert (
            bulk_change_status(
                session=session, task_ids=[str(a.id), str(b.id)], status="in_progress"
            )
            == 2
        )
        change_status(session=session, task_id=a.id, status="in_review")
    with pytest.raises(InvalidInput, match="cannot move from In progress to Completed"):
        with tenant_session(studio.member_ctx) as session:
            bulk_change_status(session=session, task_ids=[str(a.id), str(b.id)], status="completed")
    with tenant_session(studio.member_ctx) as session:
        statuses = {
            t.id: t.status for t in project_tasks(session=session, project_id=studio.project.id)
        }
    assert statuses == {str(a.id): "in_review", str(b.id): "in_progress"}
    with tenant_session(studio.member_ctx) as session, pytest.raises(InvalidInput, match="Select"):
        bulk_change_status(session=session, task_ids=[], status="completed")


def test_edit_assign_and_my_tasks(studio: Studio, milestone) -> None:
    task = _task(studio, milestone)
    with tenant_session(studio.admin_ctx) as session:
        update_task(
            session=session,
            task_id=task.id,
            title="Rough cut",
            description="v1",
            due_date=START,
            effort_estimate="",
            assignee_id=studio.member.id,
        )
    with tenant_session(studio.member_ctx) as session:
        mine = my_tasks(session=session, user_id=studio.member.id)
    assert [(t.title, t.overdue, t.project_id) for t in mine] == [
        ("Rough cut", True, str(studio.project.id))
    ]


def test_another_tenants_task_is_not_found_by_id(studio: Studio) -> None:
    other = make_graph()
    with tenant_session(studio.member_ctx) as session:
        for call in (
            lambda: change_status(session=session, task_id=other.task.id, status="in_progress"),
            lambda: bulk_change_status(
                session=session, task_ids=[str(other.task.id)], status="in_progress"
            ),
            lambda: create_task(session=session, milestone_id=other.milestone.id, title="x"),
        ):
            with pytest.raises(NotFound):
                call()
