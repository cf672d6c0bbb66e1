"""Tasks on the project page: the task dialog, workflow moves, bulk status, comment threads."""

from __future__ import annotations

import reflex as rx

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
from portal.state.actions import ROLES
from portal.state.project import ProjectState
from portal.state.session import guard

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
    @guard(roles=ROLES, action=Action.MANAGE_TASKS, message="task_error")
    def save_task(self, form: dict) -> None:
        """Create or edit a task (studio admins); the dialog stays open on an error."""
        fields = {
            "title": form.get("title", ""),
            "description": form.get("description", ""),
            "due_date": form.get("due_date", ""),
            "effort_estimate": form.get("effort", ""),
            "assignee_id": form.get("assignee_id", ""),
        }
        with self._db() as session:
            if self.task_form.id:
                update_task(session=session, task_id=self.task_form.id, **fields)
            else:
                create_task(session=session, milestone_id=form.get("milestone_id", ""), **fields)
        self._after("Task saved.")
        self.task_open = False

    @rx.event
    @guard(roles=ROLES, action=Action.UPDATE_TASK_STATUS)
    def set_status(self, task_id: str, status: str) -> None:
        """Move one task a step through the workflow."""
        with self._db() as session:
            change_status(session=session, task_id=task_id, status=status)
        self._after("Task updated.")

    @rx.event
    def toggle(self, task_id: str, checked: bool) -> None:
        """Select or unselect a task for a bulk change."""
        self.selected = [i for i in self.selected if i != task_id] + ([task_id] if checked else [])

    @rx.event
    @guard(roles=ROLES, action=Action.UPDATE_TASK_STATUS)
    def bulk(self, status: str) -> None:
        """Move every selected task to `status` (all or none)."""
        ids = list(self.selected)
        with self._db() as session:
            bulk_change_status(session=session, task_ids=ids, status=status)
        self._after(f"{len(ids)} task(s) updated.")
        self.selected = []

    @rx.event
    @guard(roles=ROLES, message="comment_error", clear=("thread",))
    def show_thread(self, task_id: str) -> None:
        """Open a task's comments."""
        self.thread_task = next((t for t in self.tasks if t.id == task_id), BLANK_TASK)
        self.reply_to = ""
        self._load_thread()

    def _load_thread(self) -> None:
        with self._db() as session:
            self.thread = task_thread(
                session=session, task_id=self.thread_task.id, viewer_id=self._require_user().user_id
            )

    @rx.event
    def set_reply_to(self, comment_id: str) -> None:
        self.reply_to = comment_id

    @rx.event
    @guard(roles=ROLES, action=Action.COMMENT, message="comment_error")
    def post_comment(self, form: dict) -> None:
        """Comment on the open task (or reply in a thread)."""
        with self._db() as session:
            add_comment(
                session=session,
                task_id=self.thread_task.id,
                author_id=self._require_user().user_id,
                body=form.get("body", ""),
                reply_to_id=self.reply_to or None,
            )
        self.reply_to = ""
        self._load_thread()

    @rx.event
    @guard(roles=ROLES, action=Action.COMMENT, message="comment_error")
    def change_comment(self, comment_id: str, body: str) -> None:
        """Edit one's own comment (within 15 minutes)."""
        try:
            with self._db() as session:
                edit_comment(
                    session=session,
                    comment_id=comment_id,
                    user_id=self._require_user().user_id,
                    body=body,
                )
        finally:
            self._load_thread()

    @rx.event
    @guard(roles=ROLES, action=Action.COMMENT, message="comment_error")
    def remove_comment(self, comment_id: str) -> None:
        """Delete one's own comment (within 15 minutes)."""
        try:
            with self._db() as session:
                delete_comment(
                    session=session, comment_id=comment_id, user_id=self._require_user().user_id
                )
        finally:
            self._load_thread()
