"""In-page action controls: small text-style actions, and destructive actions that ask first."""

from __future__ import annotations

from typing import Any

import reflex as rx


def text_action(label: str | rx.Var, on_click: Any, **props: Any) -> rx.Component:
    """A small link-looking button for an in-page action. Not rx.link: a link without an address
    is href="#", and its first click changes the URL, which re-runs the page's on_load (the
    reply target was reset before the reply was typed: issue 20.6)."""
    return rx.button(label, size="1", variant="ghost", type="button", on_click=on_click, **props)


def confirm_button(
    label: str | rx.Var,
    *,
    title: str | rx.Var,
    description: str | rx.Var,
    confirm_label: str,
    on_confirm: Any,
    class_name: str = "",
    **button_props: Any,
) -> rx.Component:
    """A button for an action that cannot be undone (revoke, delete, deactivate): a click
    asks in a dialog; Cancel (or Escape) closes it and changes nothing."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(label, class_name=class_name, **button_props)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", class_name="cancel")
                ),
                rx.alert_dialog.action(
                    rx.button(
                        confirm_label, color_scheme="red", on_click=on_confirm, class_name="confirm"
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
            max_width="28rem",
            class_name="confirm-dialog",
        ),
    )
