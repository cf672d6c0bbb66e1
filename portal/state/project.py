"""Project detail state: the project, its milestone timeline and tasks; milestone actions."""

from __future__ import annotations

import reflex as rx

from portal.services.core.permissions import Action, can
from portal.services.core.rows import get_project
from portal.services.projects.milestones import (
    MilestoneView,
    create_milestone,
    delete_milestone,
    move_milestone,
    timeline,
    update_milestone,
)
from portal.services.projects.projects import ProjectSummary, project_summary
from portal.services.projects.task_lists import TaskView, project_tasks
from portal.services.projects.tasks import assignee_options, milestone_options
from portal.state.actions import ROLES, Option, options
from portal.state.session import SessionState, guard

BLANK_PROJECT = ProjectSummary("", "", "", "", "", "", "", 0, 0)
BLANK_MILESTONE = MilestoneView("", "", "pending", "", "", 0, False, 0, 0, "0%", "0%")
# What the page shows of the project: emptied when it cannot be shown.
SHOWN = ("project", "milestones", "tasks")


class ProjectState(SessionState):
    """One project as its page shows it; refreshed after every change."""

    project_id: str = ""
    project: ProjectSummary = BLANK_PROJECT
    milestones: list[MilestoneView] = []
    today_left: str = "0%"
    span_start: str = ""
    span_end: str = ""
    tasks: list[TaskView] = []
    assignee_choices: list[Option] = []
    milestone_choices: list[Option] = []
    # What the signed-in user may do here (the server checks again on every action).
    can_manage: bool = False
    can_move: bool = False
    error: str = ""
    notice: str = ""
    milestone_open: bool = False
    milestone_error: str = ""
    milestone_form: MilestoneView = BLANK_MILESTONE

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def load(self) -> None:
        """on_load: the project named by ?id=, as far as RLS lets this user see it."""
        self.project_id = self.router.url.query_parameters.get("id", "")[:64]
        self.notice = ""
        self._refresh()

    def _refresh(self) -> None:
        """Re-read the project, its timeline and tasks (a domain error: the caller's `guard`
        shows it)."""
        user = self._require_user(ROLES)
        with self._db() as session:
            self.project = project_summary(session=session, project_id=self.project_id)
            line = timeline(session=session, project_id=self.project_id)
            self.tasks = project_tasks(session=session, project_id=self.project_id)
            project = get_project(session=session, project_id=self.project_id)
            self.assignee_choices = options(assignee_options(session, project))
            self.milestone_choices = options(milestone_options(session, project.id))
        self.milestones, self.today_left = line.milestones, line.today_left
        self.span_start, self.span_end = line.start, line.end
        self.can_manage = can(user, Action.MANAGE_TASKS)
        self.can_move = can(user, Action.UPDATE_TASK_STATUS)
        self.error = ""

    def _after(self, notice: str) -> None:
        """Refresh after a change and say what was done."""
        self._refresh()
        self.notice = notice

    @rx.event
    def open_milestone(self, milestone_id: str = "") -> None:
        """Open the milestone dialog: empty for a new one, filled for an existing one."""
        found = (m for m in self.milestones if m.id == milestone_id)
        self.milestone_form = next(found, BLANK_MILESTONE)
        self.milestone_error, self.milestone_open = "", True

    @rx.event
    def close_milestone(self) -> None:
        self.milestone_open = False

    @rx.event
    @guard(roles=ROLES, action=Action.MANAGE_MILESTONES, message="milestone_error")
    def save_milestone(self, form: dict) -> None:
        """Create or edit a milestone (studio admins); the dialog stays open on an error."""
        editing, title, due = (
            self.milestone_form.id,
            form.get("title", ""),
            form.get("due_date", ""),
        )
        status = form.get("status", "pending")
        with self._db() as session:
            if editing:
                update_milestone(
                    session=session, milestone_id=editing, title=title, due_date=due, status=status
                )
            else:
                create_milestone(
                    session=session,
                    project_id=self.project_id,
                    title=title,
                    due_date=due,
                    status=status,
                )
        self._after("Milestone saved.")
        self.milestone_open = False

    @rx.event
    @guard(roles=ROLES, action=Action.MANAGE_MILESTONES)
    def move(self, milestone_id: str, offset: int) -> None:
        """Move a milestone earlier (-1) or later (+1) in the order."""
        with self._db() as session:
            move_milestone(session=session, milestone_id=milestone_id, offset=int(offset))
        self._after("Milestones reordered.")

    @rx.event
    @guard(roles=ROLES, action=Action.MANAGE_MILESTONES)
    def remove_milestone(self, milestone_id: str) -> None:
        """Delete a milestone with its tasks."""
        with self._db() as session:
            delete_milestone(session=session, milestone_id=milestone_id)
        self._after("Milestone deleted.")
