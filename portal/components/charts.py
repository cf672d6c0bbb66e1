"""Dashboard charts (Reflex's recharts): tasks by status per project, milestone progress."""

from __future__ import annotations

import reflex as rx

TASK_SERIES = (
    ("pending", "Pending", "gray"),
    ("in_progress", "In progress", "blue"),
    ("in_review", "In review", "amber"),
    ("completed", "Completed", "green"),
)


def tasks_by_project_chart(data: rx.Var) -> rx.Component:
    """A stacked bar per project, one segment per task status."""
    return rx.recharts.bar_chart(
        *[
            rx.recharts.bar(
                data_key=key,
                name=name,
                stack_id="tasks",
                fill=rx.color(colour, 9),
                is_animation_active=False,
            )
            for key, name, colour in TASK_SERIES
        ],
        rx.recharts.x_axis(data_key="project"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=data,
        width="100%",
        height=260,
    )


def milestone_progress_chart(data: rx.Var) -> rx.Component:
    """Milestones completed vs still open, by month due."""
    return rx.recharts.bar_chart(
        rx.recharts.bar(
            data_key="completed",
            name="Completed",
            fill=rx.color("green", 9),
            is_animation_active=False,
        ),
        rx.recharts.bar(
            data_key="open", name="Open", fill=rx.color("blue", 9), is_animation_active=False
        ),
        rx.recharts.x_axis(data_key="month"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.legend(),
        rx.recharts.graphing_tooltip(),
        data=data,
        width="100%",
        height=260,
    )


def share_views_chart(data: rx.Var) -> rx.Component:
    """A share link's views per day (the last 30 days)."""
    return rx.recharts.bar_chart(
        rx.recharts.bar(
            data_key="views", name="Views", fill=rx.color("blue", 9), is_animation_active=False
        ),
        rx.recharts.x_axis(data_key="day"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        data=data,
        width="100%",
        height=200,
    )
