"""My tasks: the signed-in user's tasks across every project in scope, with workflow moves."""

from __future__ import annotations

import reflex as rx

from portal.db import tenant_session
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action, can
from portal.services.projects.task_lists import TaskView, my_tasks
from portal.services.projects.tasks import change_status
from portal.state.actions import ROLES, run_checked
from portal.state.session import SessionState


class MyTasksState(SessionState):
    """Tasks assigned to the signed-in user."""

    rows: list[TaskView] = []
    include_completed: bool = False
    can_move: bool = False
    loaded: bool = False
    error: str = ""

    @rx.event
    def load(self) -> None:
        """Load the user's tasks (overdue first)."""
        try:
            user = self._require_user(ROLES)
            with tenant_session(user.context) as session:
                self.rows = my_tasks(
                    session=session, user_id=user.user_id, include_completed=self.include_completed
                )
        except PortalError as exc:
            self.rows, self.loaded, self.error = [], False, exc.user_message
            return
        self.can_move = can(user, Action.UPDATE_TASK_STATUS)
        self.loaded, self.error = True, ""

    @rx.event
    def show_completed(self, value: bool) -> None:
        """Include or hide completed tasks."""
        self.include_completed = bool(value)
        self.load()

    @rx.event
    def set_status(self, task_id: str, status: str) -> None:
        """Move one of the tasks a step through the workflow."""
        self.error = run_checked(
            self,
            Action.UPDATE_TASK_STATUS,
            lambda s, _: change_status(session=s, task_id=task_id, status=status),
        )
        if not self.error:
            self.load()
