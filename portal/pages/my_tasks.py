"""My tasks: everything assigned to the signed-in user, across projects, overdue first."""

import reflex as rx

from portal import routes
from portal.components.tasks import next_buttons, task_cells
from portal.pages.registry import page
from portal.services.projects.view_types import TaskView
from portal.state.actions import ROLES
from portal.state.my_tasks import MyTasksState as S


def row(task: TaskView) -> rx.Component:
    return rx.table.row(
        *task_cells(task, show_project=True),
        rx.table.cell(next_buttons(task, S.set_status, S.can_move)),
        class_name="task-row",
    )


@page(
    route=routes.MY_TASKS, title="My tasks", nav="My tasks", roles=ROLES, on_load=S.load, order=20
)
def my_tasks() -> rx.Component:
    headers = ["Task", "Assignee", "Due", "Effort (h)", "Status", ""]
    return rx.vstack(
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red")),
        rx.checkbox("Show completed", checked=S.include_completed, on_change=S.show_completed),
        rx.cond(
            S.rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(S.rows, row)),
                variant="surface",
                width="100%",
                id="my-tasks",
            ),
            rx.cond(
                S.loaded,
                rx.callout(
                    "Nothing assigned to you. Tasks assigned to you on any project show up here.",
                    icon="info",
                    id="no-tasks",
                ),
            ),
        ),
        width="100%",
        spacing="4",
        align="start",
    )
