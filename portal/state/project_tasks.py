"""Tasks on the project page: the task dialog, workflow moves, bulk status, comment threads."""

from __future__ import annotations

import reflex as rx

from portal.db import tenant_session
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action
from portal.services.projects.task_comments import (
    CommentView,
    add_comment,
    delete_comment,
    edit_comment,
    task_thread,
)
from portal.services.projects.task_lists import TaskView
from portal.services.projects.tasks import (
    bulk_change_status,
    change_status,
    create_task,
    update_task,
)
from portal.state.actions import ROLES, run_checked
from portal.state.project import ProjectState

BLANK_TASK = TaskView("", "", "", "pending", "", "", "", "", "", False, "", "", "", "", "", "")


class TaskState(ProjectState):
    """Task dialog, selection for bulk changes and the open comment thread."""

    task_open: bool = False
    task_error: str = ""
    task_form: TaskView = BLANK_TASK
    selected: list[str] = []
    # The task whose comments are shown ("" = none) and its thread.
    thread_task: TaskView = BLANK_TASK
    thread: list[CommentView] = []
    reply_to: str = ""
    comment_error: str = ""

    @rx.event
    def open_task(self, task_id: str = "", milestone_id: str = "") -> None:
        """Open the task dialog: new (under `milestone_id`) or filled for an existing task."""
        found = next((t for t in self.tasks if t.id == task_id), None)
        blank = TaskView(**{**BLANK_TASK.__dict__, "milestone_id": milestone_id})
        self.task_form = found or blank
        self.task_error, self.task_open = "", True

    @rx.event
    def close_task(self) -> None:
        self.task_open = False

    @rx.event
    def save_task(self, form: dict) -> None:
        """Create or edit a task (studio admins)."""
        editing = self.task_form.id
        fields = {
            "title": form.get("title", ""),
            "description": form.get("description", ""),
            "due_date": form.get("due_date", ""),
            "effort_estimate": form.get("effort", ""),
            "assignee_id": form.get("assignee_id", ""),
        }

        def work(session, _user) -> None:  # type: ignore[no-untyped-def]
            if editing:
                update_task(session=session, task_id=editing, **fields)
            else:
                create_task(session=session, milestone_id=form.get("milestone_id", ""), **fields)

        self.task_error = self._after(run_checked(self, Action.MANAGE_TASKS, work), "Task saved.")
        self.task_open = bool(self.task_error)

    @rx.event
    def set_status(self, task_id: str, status: str) -> None:
        """Move one task a step through the workflow."""
        self.error = self._after(
            run_checked(
                self,
                Action.UPDATE_TASK_STATUS,
                lambda s, _: change_status(session=s, task_id=task_id, status=status),
            ),
            "Task updated.",
        )

    @rx.event
    def toggle(self, task_id: str, checked: bool) -> None:
        """Select or unselect a task for a bulk change."""
        self.selected = [i for i in self.selected if i != task_id] + ([task_id] if checked else [])

    @rx.event
    def bulk(self, status: str) -> None:
        """Move every selected task to `status` (all or none)."""
        ids = list(self.selected)
        self.error = self._after(
            run_checked(
                self,
                Action.UPDATE_TASK_STATUS,
                lambda s, _: bulk_change_status(session=s, task_ids=ids, status=status),
            ),
            f"{len(ids)} task(s) updated.",
        )
        if not self.error:
            self.selected = []

    @rx.event
    def show_thread(self, task_id: str) -> None:
        """Open a task's comments."""
        self.thread_task = next((t for t in self.tasks if t.id == task_id), BLANK_TASK)
        self.reply_to, self.comment_error = "", ""
        self._load_thread()

    def _load_thread(self) -> None:
        try:
            user = self._require_user(ROLES)
            with tenant_session(user.context) as session:
                self.thread = task_thread(
                    session=session, task_id=self.thread_task.id, viewer_id=user.user_id
                )
        except PortalError as exc:
            self.thread, self.comment_error = [], exc.user_message

    @rx.event
    def set_reply_to(self, comment_id: str) -> None:
        self.reply_to = comment_id

    @rx.event
    def post_comment(self, form: dict) -> None:
        """Comment on the open task (or reply in a thread)."""
        task_id, reply_to, body = self.thread_task.id, self.reply_to, form.get("body", "")
        self.comment_error = run_checked(
            self,
            Action.COMMENT,
            lambda s, user: add_comment(
                session=s,
                task_id=task_id,
                author_id=user.user_id,
                body=body,
                reply_to_id=reply_to or None,
            ),
        )
        if not self.comment_error:
            self.reply_to = ""
            self._load_thread()

    @rx.event
    def change_comment(self, comment_id: str, body: str) -> None:
        """Edit one's own comment (within 15 minutes)."""
        self.comment_error = run_checked(
            self,
            Action.COMMENT,
            lambda s, user: edit_comment(
                session=s, comment_id=comment_id, user_id=user.user_id, body=body
            ),
        )
        self._load_thread()

    @rx.event
    def remove_comment(self, comment_id: str) -> None:
        """Delete one's own comment (within 15 minutes)."""
        self.comment_error = run_checked(
            self,
            Action.COMMENT,
            lambda s, user: delete_comment(session=s, comment_id=comment_id, user_id=user.user_id),
        )
        self._load_thread()
