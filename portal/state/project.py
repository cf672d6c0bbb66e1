"""Project detail state: the project, its milestone timeline and tasks; milestone actions."""

from __future__ import annotations

import reflex as rx

from portal.db import tenant_session
from portal.services.core.errors import PortalError
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
from portal.state.actions import ROLES, Option, options, run_checked
from portal.state.session import SessionState

BLANK_PROJECT = ProjectSummary("", "", "", "", "", "", "", 0, 0)
BLANK_MILESTONE = MilestoneView("", "", "pending", "", "", 0, False, 0, 0, "0%", "0%")


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
    def load(self) -> None:
        """on_load: the project named by ?id=, as far as RLS lets this user see it."""
        self.project_id = self.router.url.query_parameters.get("id", "")[:64]
        self.notice = ""
        self._refresh()

    def _refresh(self) -> None:
        try:
            user = self._require_user(ROLES)
            with tenant_session(user.context) as session:
                self.project = project_summary(session=session, project_id=self.project_id)
                line = timeline(session=session, project_id=self.project_id)
                self.tasks = project_tasks(session=session, project_id=self.project_id)
                project = get_project(session=session, project_id=self.project_id)
                self.assignee_choices = options(assignee_options(session, project))
                self.milestone_choices = options(milestone_options(session, project.id))
        except PortalError as exc:
            self.project, self.milestones, self.tasks = BLANK_PROJECT, [], []
            self.error = exc.user_message
            return
        self.milestones, self.today_left = line.milestones, line.today_left
        self.span_start, self.span_end = line.start, line.end
        self.can_manage = can(user, Action.MANAGE_TASKS)
        self.can_move = can(user, Action.UPDATE_TASK_STATUS)
        self.error = ""

    def _after(self, message: str, notice: str) -> str:
        """Refresh after a change; keep the error, or show what was done."""
        if not message:
            self._refresh()
            self.notice = notice
        return message

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
    def save_milestone(self, form: dict) -> None:
        """Create or edit a milestone (studio admins)."""
        editing, project_id = self.milestone_form.id, self.project_id
        title, due = form.get("title", ""), form.get("due_date", "")
        status = form.get("status", "pending")

        def work(session, _user) -> None:  # type: ignore[no-untyped-def]
            if editing:
                update_milestone(
                    session=session, milestone_id=editing, title=title, due_date=due, status=status
                )
            else:
                create_milestone(
                    session=session,
                    project_id=project_id,
                    title=title,
                    due_date=due,
                    status=status,
                )

        self.milestone_error = self._after(
            run_checked(self, Action.MANAGE_MILESTONES, work), "Milestone saved."
        )
        self.milestone_open = bool(self.milestone_error)

    @rx.event
    def move(self, milestone_id: str, offset: int) -> None:
        """Move a milestone earlier (-1) or later (+1) in the order."""
        self.error = self._after(
            run_checked(
                self,
                Action.MANAGE_MILESTONES,
                lambda s, _: move_milestone(
                    session=s, milestone_id=milestone_id, offset=int(offset)
                ),
            ),
            "Milestones reordered.",
        )

    @rx.event
    def remove_milestone(self, milestone_id: str) -> None:
        """Delete a milestone with its tasks."""
        self.error = self._after(
            run_checked(
                self,
                Action.MANAGE_MILESTONES,
                lambda s, _: delete_milestone(session=s, milestone_id=milestone_id),
            ),
            "Milestone deleted.",
        )
