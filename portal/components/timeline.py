"""The project timeline: one horizontal bar per milestone on the project's dates, today's line."""

from __future__ import annotations

import reflex as rx

from portal.components.badges import status_badge, status_colour
from portal.services.projects.view_types import MilestoneView

# The label and status columns either side of the bars ([phone, from 30em, from 48em]); on a
# phone they narrow and the status badges stack, so the bars keep room. Today's line and the
# date scale are placed over the bar column with the same widths (plus the 0.5rem gaps).
LABEL = ["6.5rem", "6.5rem", "11rem"]
STATUS = ["5.5rem", "5.5rem", "13rem"]
BARS_LEFT = ["7rem", "7rem", "11.5rem"]
BARS_RIGHT = ["6rem", "6rem", "13.5rem"]


def _bar(milestone: MilestoneView) -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.text(milestone.title, size="2", weight="medium", truncate=True),
            rx.text(milestone.due_date, size="1", color_scheme="gray"),
            width=LABEL,
            flex_shrink="0",
        ),
        rx.box(
            rx.box(
                position="absolute",
                left=milestone.left,
                width=milestone.width,
                top="0.35rem",
                height="1.3rem",
                border_radius="0.35rem",
                background=rx.color(status_colour(milestone.status), 9),
                border=rx.cond(milestone.overdue, f"3px solid {rx.color('red', 9)}", "none"),
                title=milestone.title,
            ),
            position="relative",
            height="2rem",
            flex="1",
            background=rx.color("gray", 3),
            border_radius="0.35rem",
        ),
        rx.hstack(
            status_badge(milestone.status),
            rx.cond(milestone.overdue, rx.badge("Overdue", color_scheme="red")),
            rx.text(
                milestone.tasks_done.to_string() + "/" + milestone.tasks_total.to_string(),
                size="1",
                class_name="milestone-progress",
            ),
            width=STATUS,
            flex_shrink="0",
            wrap="wrap",
            spacing=rx.breakpoints(initial="1", sm="2"),
        ),
        width="100%",
        spacing="2",
        align="center",
        class_name=rx.cond(milestone.overdue, "timeline-row overdue", "timeline-row"),
        data_status=milestone.status,
    )


def timeline(milestones: rx.Var, today_left: rx.Var, start: rx.Var, end: rx.Var) -> rx.Component:
    """Bars by date with a vertical line at today; empty state when there are no milestones."""
    return rx.cond(
        milestones.length() > 0,
        rx.box(
            rx.vstack(rx.foreach(milestones, _bar), width="100%", spacing="2"),
            # Today's line sits over the bar column (between the label and the status).
            rx.box(
                rx.box(
                    position="absolute",
                    left=today_left,
                    top="0",
                    bottom="0",
                    border_left=f"2px dashed {rx.color('red', 9)}",
                    title="Today",
                ),
                position="absolute",
                top="0",
                bottom="1.5rem",
                left=BARS_LEFT,
                right=BARS_RIGHT,
                pointer_events="none",
                id="today-line",
            ),
            rx.hstack(
                rx.text(start, size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(end, size="1", color_scheme="gray"),
                margin_left=BARS_LEFT,
                margin_right=BARS_RIGHT,
            ),
            position="relative",
            width="100%",
            id="timeline",
        ),
        rx.callout(
            "No milestones yet. Add the phases (script, shoot, edit…) to see the timeline.",
            icon="info",
            id="no-milestones",
        ),
    )
