"""Milestones: create, edit, reorder, delete, duplicates, dates, timeline, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db import tenant_session
from portal.services.core.errors import Conflict, InvalidInput, NotFound
from portal.services.projects.milestones import (
    create_milestone,
    delete_milestone,
    move_milestone,
    reorder_milestones,
    timeline,
    update_milestone,
)
from portal.services.projects.tasks import create_task
from tests.factories import END, START, Studio, make_graph


def _three(session, studio: Studio):
    return [
        create_milestone(
            session=session, project_id=studio.project.id, title=t, due_date=START + timedelta(d)
        )
        for t, d in (("Script", 10), ("Shoot", 40), ("Edit", 80))
    ]


def test_create_in_order_and_reorder(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        script, shoot, edit = _three(session, studio)
        assert [m.sequence for m in (script, shoot, edit)] == [0, 1, 2]
        reorder_milestones(
            session=session,
            project_id=studio.project.id,
            ordered_ids=[str(edit.id), str(script.id), str(shoot.id)],
        )
        move_milestone(session=session, milestone_id=shoot.id, offset=-1)
        titles = [
            m.title for m in timeline(session=session, project_id=studio.project.id).milestones
        ]
    assert titles == ["Edit", "Shoot", "Script"]


def test_reorder_must_list_every_milestone_once(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        script, shoot, _ = _three(session, studio)
        with pytest.raises(InvalidInput, match="each milestone"):
            reorder_milestones(
                session=session,
                project_id=studio.project.id,
                ordered_ids=[str(script.id), str(shoot.id)],
            )


def test_duplicate_title_is_a_clear_conflict(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        create_milestone(session=session, project_id=studio.project.id, title="Edit")
        with pytest.raises(Conflict, match="already exists in this project"):
            create_milestone(session=session, project_id=studio.project.id, title="Edit")
        # The transaction is still usable after the refused insert.
        create_milestone(session=session, project_id=studio.project.id, title="Grade")


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (START - timedelta(days=1), "before the project starts"),
        (END + timedelta(days=1), "after the project ends"),
        ("2026-13-45", "not a valid date"),
    ],
)
def test_due_date_must_be_within_the_project(studio: Studio, due, message: str) -> None:
    with tenant_session(studio.admin_ctx) as session, pytest.raises(InvalidInput, match=message):
        create_milestone(session=session, project_id=studio.project.id, title="X", due_date=due)


def test_edit_status_and_bad_values(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        script = _three(session, studio)[0]
        update_milestone(
            session=session,
            milestone_id=script.id,
            title="Script v2",
            due_date="",
            status="blocked",
        )
        assert (script.title, script.due_date, script.status) == ("Script v2", None, "blocked")
        with pytest.raises(InvalidInput, match="Unknown milestone status"):
            update_milestone(
                session=session, milestone_id=script.id, title="a", due_date=None, status="done"
            )
        with pytest.raises(InvalidInput, match="at most 200"):
            update_milestone(
                session=session,
                milestone_id=script.id,
                title="a" * 201,
                due_date=None,
                status="pending",
            )


def test_delete_removes_its_tasks(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        script = _three(session, studio)[0]
        create_task(session=session, milestone_id=script.id, title="Draft")
        delete_milestone(session=session, milestone_id=script.id)
        view = timeline(session=session, project_id=studio.project.id)
    assert [m.title for m in view.milestones] == ["Shoot", "Edit"]


def test_timeline_bars_today_line_and_overdue(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        script, shoot, _ = _three(session, studio)  # Script is due 20 days ago: overdue
        create_task(session=session, milestone_id=shoot.id, title="Prep")
        view = timeline(session=session, project_id=studio.project.id)
    first, second, third = view.milestones
    assert first.overdue and not second.overdue and not third.overdue
    assert first.left == "0.00%" and float(first.width[:-1]) == pytest.approx(100 * 10 / 90, 0.01)
    assert second.tasks_total == 1 and second.tasks_done == 0
    assert float(view.today_left[:-1]) == pytest.approx(100 * 30 / 90, 0.01)


def test_another_tenants_milestones_are_not_found(studio: Studio) -> None:
    other = make_graph()
    with tenant_session(studio.member_ctx) as session:
        for call in (
            lambda: update_milestone(
                session=session,
                milestone_id=other.milestone.id,
                title="x",
                due_date=None,
                status="pending",
            ),
            lambda: delete_milestone(session=session, milestone_id=other.milestone.id),
            lambda: create_milestone(session=session, project_id=other.project.id, title="x"),
            lambda: timeline(session=session, project_id=other.project.id),
        ):
            with pytest.raises(NotFound):
                call()
