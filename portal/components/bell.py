"""The notification bell: unread count and a panel of the latest notifications."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.text import clipped
from portal.services.notifications.view_types import NotificationView
from portal.state.bell import BellState


def _item(item: NotificationView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.cond(
                item.unread,
                rx.box(width="0.5rem", height="0.5rem", border_radius="50%", background="tomato"),
                rx.box(width="0.5rem"),
            ),
            rx.vstack(
                clipped(
                    item.title,
                    max_width="19rem",
                    size="2",
                    weight=rx.cond(item.unread, "bold", "regular"),
                    class_name="bell-title",
                ),
                rx.cond(
                    item.excerpt != "",
                    clipped(item.excerpt, max_width="19rem", size="1", color_scheme="gray"),
                ),
                rx.text(item.created_at, size="1", color_scheme="gray"),
                spacing="1",
                align="start",
                min_width="0",
            ),
            align="start",
        ),
        on_click=BellState.open_item(item.id),
        class_name="bell-item",
        cursor="pointer",
        padding="0.5rem",
        border_radius="0.375rem",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
    )


def _panel() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("Notifications", weight="bold"),
            rx.spacer(),
            rx.button(
                "Mark all read",
                size="1",
                variant="ghost",
                on_click=BellState.read_all,
                id="bell-read-all",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            BellState.items.length() > 0,
            rx.scroll_area(
                rx.vstack(rx.foreach(BellState.items, _item), spacing="1", width="100%"),
                max_height="24rem",
                type="auto",
            ),
            rx.text(
                "No notifications yet. New cuts to review, comments and tasks for you show "
                "up here.",
                size="2",
                color_scheme="gray",
                id="bell-empty",
            ),
        ),
        rx.link("Email settings", href=routes.NOTIFICATION_SETTINGS, size="1"),
        width="22rem",
        spacing="2",
    )


def bell() -> rx.Component:
    """The bell button with its unread badge; opens the panel; starts live updates on mount."""
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    rx.icon("bell", size=18),
                    rx.cond(
                        BellState.unread > 0,
                        rx.badge(BellState.unread, color_scheme="tomato", id="bell-count"),
                    ),
                    variant="soft",
                    color_scheme="gray",
                    id="bell",
                    aria_label="Notifications",
                ),
            ),
            rx.popover.content(_panel()),
        ),
        on_mount=BellState.start,
        custom_attrs={"data-worker": BellState.served_by},
    )
