"""Project page handlers without a browser: permissions re-checked, other tenants' ids refused."""

from __future__ import annotations

import pytest

from portal.db import tenant_session
from portal.services.projects.milestones import create_milestone
from portal.services.projects.tasks import create_task
from portal.state.my_tasks import MyTasksState
from portal.state.project_tasks import TaskState
from portal.state.projects import ProjectsState
from tests.factories import make_graph, make_studio
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def _project_state(email: str, project_id: str) -> TaskState:
    url = f"http://localhost:3000/project?id={project_id}"
    state = make_state(TaskState, cookie=signed_in_cookie(email), url=url)
    state.load()
    return state


def test_member_moves_tasks_but_cannot_manage() -> None:
    s = make_studio()
    with tenant_session(s.admin_ctx) as session:
        m = create_milestone(session=session, project_id=s.project.id, title="Edit")
        task = create_task(session=session, milestone_id=m.id, title="Cut")
    state = _project_state(s.member.email, str(s.project.id))
    assert state.project.title == s.project.title and [t.id for t in state.tasks] == [str(task.id)]
    assert state.can_move and not state.can_manage
    state.set_status(str(task.id), "in_progress")
    assert state.error == "" and state.tasks[0].status == "in_progress"
    state.set_status(str(task.id), "completed")
    assert "cannot move" in state.error
    state.save_task({"title": "Sneaky", "milestone_id": str(m.id)})
    assert state.task_error == "You do not have permission to do that."
    state.save_milestone({"title": "Sneaky"})
    assert state.milestone_error == "You do not have permission to do that."
    assert [t.title for t in state.tasks] == ["Cut"]


def test_handlers_refuse_another_tenants_ids() -> None:
    mine, theirs = make_studio(), make_graph()
    state = _project_state(mine.admin.email, str(theirs.project.id))
    assert state.error.startswith("That project does not exist") and state.tasks == []
    state.set_status(str(theirs.task.id), "in_progress")
    assert state.error.startswith("That task does not exist")
    state.remove_milestone(str(theirs.milestone.id))
    assert state.error.startswith("That milestone does not exist")
    state.show_thread(str(theirs.task.id))
    assert state.thread == []
    projects = make_state(ProjectsState, cookie=signed_in_cookie(mine.admin.email))
    projects.load()
    projects.archive(str(theirs.project.id))
    assert projects.error.startswith("That project does not exist")


def test_admin_creates_project_with_a_clear_message_on_bad_dates() -> None:
    s = make_studio()
    state = make_state(ProjectsState, cookie=signed_in_cookie(s.admin.email))
    state.load()
    state.open_form("")
    form = {
        "tenant_id": str(s.agency.id),
        "title": "New",
        "client_name": "C",
        "status": "active",
        "start_date": "2026-03-01",
        "end_date": "2026-02-01",
    }
    state.save(form)
    assert state.form_open and "end date" in state.form_error
    state.save({**form, "end_date": "2026-04-01"})
    assert not state.form_open and "New" in [p.title for p in state.rows]


def test_my_tasks_lists_assigned_tasks() -> None:
    s = make_studio()
    with tenant_session(s.admin_ctx) as session:
        m = create_milestone(session=session, project_id=s.project.id, title="Edit")
        create_task(session=session, milestone_id=m.id, title="Mine", assignee_id=s.member.id)
        create_task(session=session, milestone_id=m.id, title="Not mine")
    state = make_state(MyTasksState, cookie=signed_in_cookie(s.member.email))
    state.load()
    assert [t.title for t in state.rows] == ["Mine"]
