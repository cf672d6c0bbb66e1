"""Project detail: milestone timeline, milestones and tasks, the task workflow, comments."""

import reflex as rx

from portal import routes
from portal.components.actions import confirm_button
from portal.components.badges import status_badge
from portal.components.comments import comment_box, comment_item
from portal.components.deliverables import deliverables_section
from portal.components.forms import (
    date_input,
    dialog,
    field,
    form_error,
    native_select,
    text_input,
)
from portal.components.share import project_share_links
from portal.components.tasks import next_buttons, task_cells
from portal.components.text import clipped
from portal.components.timeline import timeline
from portal.components.upload_requests import upload_requests_section
from portal.pages.registry import page
from portal.services.projects.view_types import MILESTONE_STATUSES, MilestoneView, TaskView
from portal.state.actions import ROLES
from portal.state.project_tasks import TaskState as S
from portal.state.share_links import ShareLinksState
from portal.state.upload_requests import UploadRequestsState

# 12rem from 48em up, the whole line below ([phone, from 30em, from 48em]).
WIDE_ON_PHONE = ["100%", "100%", "12rem"]
BULK = [("in_progress", "In progress"), ("in_review", "In review"), ("completed", "Completed")]


def header() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            status_badge(S.project.status),
            rx.text(
                S.project.client_name,
                " · ",
                S.project.start_date,
                " – ",
                S.project.end_date,
                color_scheme="gray",
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.notice != "", rx.callout(S.notice, icon="check", color_scheme="green", id="notice")
        ),
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", id="page-error")),
    )


def milestone_row(m: MilestoneView) -> rx.Component:
    return rx.hstack(
        # On a phone the title takes its own line and the buttons wrap under it.
        clipped(m.title, max_width=WIDE_ON_PHONE, width=WIDE_ON_PHONE, weight="medium"),
        rx.button("↑", size="1", variant="soft", on_click=S.move(m.id, -1)),
        rx.button("↓", size="1", variant="soft", on_click=S.move(m.id, 1)),
        rx.button("Edit", size="1", variant="soft", on_click=S.open_milestone(m.id)),
        rx.button(
            "Add task",
            size="1",
            variant="soft",
            on_click=S.open_task("", m.id),
            class_name="add-task",
        ),
        confirm_button(
            "Delete",
            title="Delete the milestone “" + m.title + "”?",
            description="Its tasks and their comments are deleted with it. This cannot be undone.",
            confirm_label="Delete milestone",
            on_confirm=S.remove_milestone(m.id),
            size="1",
            variant="soft",
            color_scheme="red",
            class_name="delete-milestone",
        ),
        wrap="wrap",
        align="center",
        class_name="milestone-admin",
    )


def task_row(task: TaskView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=S.selected.contains(task.id),
                on_change=lambda checked: S.toggle(task.id, checked),
            )
        ),
        *task_cells(task),
        rx.table.cell(
            rx.hstack(
                next_buttons(task, S.set_status, S.can_move),
                rx.button("Comments", size="1", variant="ghost", on_click=S.show_thread(task.id)),
                rx.cond(
                    S.can_manage,
                    rx.button("Edit", size="1", variant="ghost", on_click=S.open_task(task.id, "")),
                ),
            )
        ),
        class_name="task-row",
        data_status=task.status,
    )


def tasks_table() -> rx.Component:
    headers = ["", "Task", "Assignee", "Due", "Effort (h)", "Status", ""]
    return rx.cond(
        S.tasks.length() > 0,
        rx.vstack(
            rx.cond(
                S.selected.length() > 0,
                rx.hstack(
                    rx.text("Selected: ", S.selected.length(), size="2"),
                    *[
                        rx.button("Move to " + label, size="1", variant="soft", on_click=S.bulk(v))
                        for v, label in BULK
                    ],
                ),
            ),
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(S.tasks, task_row)),
                variant="surface",
                width="100%",
                id="tasks",
            ),
            width="100%",
        ),
        rx.text(
            rx.cond(
                S.can_manage,
                rx.cond(
                    S.milestones.length() > 0,
                    "No tasks yet. Add one with “Add task” beside a milestone.",
                    "No tasks yet. Add a milestone first, then its tasks.",
                ),
                "No tasks yet. Tasks the studio plans for this project appear here.",
            ),
            color_scheme="gray",
            id="no-tasks",
        ),
    )


def milestone_form() -> rx.Component:
    statuses = [(s, s.replace("_", " ")) for s in MILESTONE_STATUSES]
    return rx.vstack(
        form_error(S.milestone_error),
        field("Title", text_input("title", default=S.milestone_form.title)),
        field("Due date", date_input("due_date", default=S.milestone_form.due_input)),
        field("Status", native_select("status", statuses, default=S.milestone_form.status)),
        width="100%",
    )


def task_form() -> rx.Component:
    return rx.vstack(
        form_error(S.task_error),
        rx.cond(
            S.task_form.id == "",
            field(
                "Milestone",
                native_select(
                    "milestone_id", S.milestone_choices, default=S.task_form.milestone_id
                ),
            ),
        ),
        field("Title", text_input("title", default=S.task_form.title)),
        field(
            "Description",
            rx.text_area(
                name="description",
                default_value=S.task_form.description,
                max_length=20000,
                width="100%",
            ),
        ),
        field(
            "Assignee",
            rx.el.select(
                rx.el.option("Unassigned", value=""),
                rx.foreach(S.assignee_choices, lambda o: rx.el.option(o.label, value=o.value)),
                name="assignee_id",
                default_value=S.task_form.assignee_id,
                id="field-assignee_id",
            ),
        ),
        rx.hstack(
            field("Due date", date_input("due_date", default=S.task_form.due_input)),
            field(
                "Effort (hours)", text_input("effort", default=S.task_form.effort, max_length=12)
            ),
            width="100%",
        ),
        width="100%",
    )


def comments_panel() -> rx.Component:
    return rx.cond(
        S.thread_task.id != "",
        rx.card(
            rx.vstack(
                rx.heading("Comments on “", S.thread_task.title, "”", size="4"),
                rx.foreach(
                    S.thread,
                    lambda c: comment_item(c, S.set_reply_to, S.change_comment, S.remove_comment),
                ),
                comment_box(S.reply_to, S.post_comment, S.set_reply_to(""), S.comment_error),
                width="100%",
            ),
            width="100%",
            id="comments",
        ),
    )


@page(
    route=routes.PROJECT,
    title="Project",
    roles=ROLES,
    on_load=[S.load, ShareLinksState.load_project, UploadRequestsState.load_project],
    # The project's own title names the page.
    heading=rx.cond(S.project.title != "", S.project.title, "Project"),
)
def project() -> rx.Component:
    return rx.vstack(
        rx.link("← Projects", href=routes.PROJECTS, size="2"),
        header(),
        rx.hstack(
            rx.heading("Timeline", size="5"),
            rx.cond(
                S.can_manage,
                rx.button(
                    "Add milestone", size="1", on_click=S.open_milestone(""), id="add-milestone"
                ),
            ),
            align="center",
        ),
        timeline(S.milestones, S.today_left, S.span_start, S.span_end),
        rx.cond(S.can_manage, rx.vstack(rx.foreach(S.milestones, milestone_row), spacing="1")),
        rx.heading("Tasks", size="5"),
        tasks_table(),
        comments_panel(),
        deliverables_section(),
        project_share_links(),
        upload_requests_section(),
        dialog(
            "Milestone",
            S.milestone_open,
            S.close_milestone,
            milestone_form(),
            S.save_milestone,
            "save-milestone",
        ),
        dialog("Task", S.task_open, S.close_task, task_form(), S.save_task, "save-task"),
        width="100%",
        spacing="4",
        align="start",
    )
