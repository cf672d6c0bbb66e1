"""My tasks: the signed-in user's tasks across every project in scope, with workflow moves."""

from __future__ import annotations

import reflex as rx

from portal.services.core.permissions import Action, can
from portal.services.projects.task_lists import TaskView, my_tasks
from portal.services.projects.tasks import change_status
from portal.state.actions import ROLES
from portal.state.session import SessionState, guard


class MyTasksState(SessionState):
    """Tasks assigned to the signed-in user."""

    rows: list[TaskView] = []
    include_completed: bool = False
    can_move: bool = False
    loaded: bool = False
    error: str = ""

    @rx.event
    @guard(roles=ROLES, clear=("rows", "loaded"))
    def load(self) -> None:
        """Load the user's tasks (overdue first)."""
        user = self._require_user()
        with self._db() as session:
            self.rows = my_tasks(
                session=session, user_id=user.user_id, include_completed=self.include_completed
            )
        self.can_move = can(user, Action.UPDATE_TASK_STATUS)
        self.loaded = True

    @rx.event
    def show_completed(self, value: bool) -> None:
        """Include or hide completed tasks."""
        self.include_completed = bool(value)
        self.load()

    @rx.event
    @guard(roles=ROLES, action=Action.UPDATE_TASK_STATUS)
    def set_status(self, task_id: str, status: str) -> None:
        """Move one of the tasks a step through the workflow."""
        with self._db() as session:
            change_status(session=session, task_id=task_id, status=status)
        self.load()
