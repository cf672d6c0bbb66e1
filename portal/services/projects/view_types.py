"""What the project pages show: plain view types and constants, with no database code (pages and
components import them; the query functions in this package build them)."""

from __future__ import annotations

from dataclasses import dataclass, field

PROJECT_STATUSES = ("planning", "active", "on_hold", "completed", "archived")


@dataclass(frozen=True)
class ProjectSummary:
    """One row of a project list (string ids, display-ready fields)."""

    id: str
    title: str
    client_name: str
    status: str
    tenant_name: str
    start_date: str
    end_date: str
    open_tasks: int
    overdue_tasks: int
    tenant_id: str = ""
    # The dates as the form's inputs show them (dd/mm/yyyy).
    start_input: str = ""
    end_input: str = ""
    # ISO dates (yyyy-mm-dd, '' when unset) for the REST API.
    start_iso: str = ""
    end_iso: str = ""


@dataclass(frozen=True)
class DueMilestone:
    """A milestone due in the next two weeks."""

    id: str
    title: str
    project_id: str
    project_title: str
    due_date: str
    status: str


@dataclass(frozen=True)
class StatusOption:
    """A status a task may move to next."""

    value: str
    label: str
    # A step forward in the workflow (a back step is shown less prominently).
    forward: bool = True


@dataclass(frozen=True)
class TaskView:
    """A task row as the pages show it (string fields, display-ready)."""

    id: str
    title: str
    description: str
    status: str
    status_label: str
    assignee_id: str
    assignee_name: str
    due_date: str
    due_input: str  # dd/mm/yyyy, for the edit form
    overdue: bool
    effort: str
    completed_at: str
    milestone_id: str
    milestone_title: str
    project_id: str
    project_title: str
    next_statuses: list[StatusOption] = field(default_factory=list)


MILESTONE_STATUSES = ("pending", "in_progress", "completed", "blocked")


@dataclass(frozen=True)
class MilestoneView:
    """A milestone as the timeline and lists show it; left/width are CSS percentages."""

    id: str
    title: str
    status: str
    due_date: str
    due_input: str  # dd/mm/yyyy, for the edit form
    sequence: int
    overdue: bool
    tasks_done: int
    tasks_total: int
    left: str
    width: str


@dataclass(frozen=True)
class CommentView:
    """A comment in a flattened thread: first comments, each followed by its replies."""

    id: str
    author_name: str
    body: str
    created_at: str
    is_reply: bool
    can_edit: bool
    edited: bool
    deleted: bool
    mentions: str
