"""Task rows: status, overdue badge, next-step buttons; used by the project and my-tasks pages."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from portal import routes
from portal.components.badges import overdue_badge, status_badge
from portal.components.text import clipped, clipped_link
from portal.services.projects.view_types import TaskView


def next_buttons(task: TaskView, on_status: Callable, enabled: rx.Var) -> rx.Component:
    """One button per legal next status (forward steps solid, back steps soft)."""
    return rx.cond(
        enabled,
        rx.hstack(
            rx.foreach(
                task.next_statuses,
                lambda s: rx.button(
                    "→ " + s.label,
                    size="1",
                    variant=rx.cond(s.forward, "solid", "soft"),
                    on_click=on_status(task.id, s.value),
                    class_name="move-" + s.value,
                ),
            ),
            spacing="1",
        ),
    )


def task_cells(task: TaskView, *, show_project: bool = False) -> list[rx.Component]:
    """Title (+ project), assignee, due date with overdue badge, effort, status."""
    title = rx.vstack(
        clipped(task.title, weight="medium", class_name="task-title"),
        rx.cond(
            show_project,
            clipped_link(
                task.project_title + " · " + task.milestone_title,
                routes.PROJECT + "?id=" + task.project_id,
                size="1",
            ),
            clipped(task.milestone_title, size="1", color_scheme="gray"),
        ),
        spacing="0",
    )
    return [
        rx.table.cell(title),
        rx.table.cell(task.assignee_name),
        rx.table.cell(rx.hstack(rx.text(task.due_date), overdue_badge(task.overdue))),
        rx.table.cell(task.effort),
        rx.table.cell(status_badge(task.status), class_name="task-status"),
    ]
