"""Form building blocks: labelled inputs, messages, native POST forms, the auth card."""

from __future__ import annotations

import reflex as rx


def labeled_input(
    label: str,
    name: str,
    *,
    kind: str = "text",
    autocomplete: str = "off",
    element_id: str | None = None,
    **props,
) -> rx.Component:
    """A label above a full-width input; the element id defaults to `name`."""
    element_id = element_id or name
    return rx.vstack(
        rx.el.label(label, html_for=element_id, font_weight="500", font_size="0.9rem"),
        rx.input(
            id=element_id,
            name=name,
            type=kind,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            **props,
        ),
        width="100%",
        spacing="1",
    )


def error_callout(message: rx.Var, element_id: str = "form-error") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            id=element_id,
            width="100%",
        ),
    )


def notice_callout(message: rx.Var, element_id: str = "form-notice") -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="info", id=element_id, width="100%", role="status"),
    )


def native_form(action: str, *children: rx.Component, **props) -> rx.Component:
    """A plain HTML form posting to an /api endpoint (no Reflex interception)."""
    return rx.el.form(
        rx.vstack(*children, spacing="4", width="100%"),
        action=action,
        method="post",
        no_validate=True,
        on_submit=None,
        width="100%",
        **props,
    )


def hidden(name: str, value: rx.Var | str) -> rx.Component:
    return rx.el.input(type="hidden", name=name, value=value)


def submit(label: str, element_id: str) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", id=element_id)


def auth_card(title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    """The centred card used by sign-in, reset and invitation pages."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.image(src="/logo.svg", width="32px", height="32px", alt=""),
                    rx.heading(title, size="6"),
                    align="center",
                ),
                rx.text(subtitle, color_scheme="gray"),
                *children,
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )
