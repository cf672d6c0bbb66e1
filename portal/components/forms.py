"""Form building blocks: labelled inputs, messages, native POST forms, the auth card, and the
small pieces the project pages' dialogs use (field, inputs, selects, dialog)."""

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


def field(label: str, control: rx.Component) -> rx.Component:
    """A labelled form control."""
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def text_input(name: str, *, default: rx.Var | str = "", max_length: int = 200, **props):
    return rx.input(
        name=name,
        id=f"field-{name}",
        default_value=default,
        max_length=max_length,
        width="100%",
        **props,
    )


def date_input(name: str, *, default: rx.Var | str = "") -> rx.Component:
    """A date typed dd/mm/yyyy: the en-AU form whatever the browser's language (a native date
    picker shows mm/dd/yyyy in a US-English browser). The service reads it (and ISO)."""
    return rx.input(
        name=name,
        id=f"field-{name}",
        default_value=default,
        placeholder="dd/mm/yyyy",
        input_mode="numeric",
        max_length=10,
        width="9rem",
    )


def native_select(
    name: str, choices: list[tuple[str, str]] | rx.Var, *, default=""
) -> rx.Component:
    """A plain <select> (submits with the form; `choices` are (value, label) or Option vars)."""
    if isinstance(choices, list):
        items = [rx.el.option(label, value=value) for value, label in choices]
    else:
        items = [rx.foreach(choices, lambda o: rx.el.option(o.label, value=o.value))]
    return rx.el.select(
        *items,
        name=name,
        id=f"field-{name}",
        default_value=default,
        style={"padding": "0.35rem", "borderRadius": "0.4rem", "width": "100%"},
    )


def form_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, color_scheme="red", icon="triangle_alert", class_name="form-error"),
    )


def dialog(
    title: str,
    open_var: rx.Var,
    on_close,
    body: rx.Component,
    on_submit,
    submit_id: str,
) -> rx.Component:
    """A modal form: fields, the server's message, Cancel / Save."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.form(
                rx.vstack(
                    body,
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=on_close,
                        ),
                        rx.button("Save", type="submit", id=submit_id),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
            ),
        ),
        open=open_var,
        # Opening goes through state; this fires when Escape or the overlay closes it.
        on_open_change=lambda _open: on_close,
    )


# A plain <select>'s look beside Radix inputs.
SELECT_STYLE = {"padding": "0.35rem", "borderRadius": "0.4rem", "minHeight": "2rem"}


def filter_select(
    label: str,
    element_id: str,
    choices: list[tuple[str, str]],
    *,
    value: rx.Var,
    on_change,
    more: rx.Var | None = None,
) -> rx.Component:
    """A list filter: its label above a plain <select> whose choices say what they show
    ("All statuses", never a bare "all"); `more` adds Option vars after `choices`."""
    items = [rx.el.option(text, value=choice) for choice, text in choices]
    if more is not None:
        items.append(rx.foreach(more, lambda o: rx.el.option(o.label, value=o.value)))
    select = rx.el.select(
        *items, value=value, on_change=on_change, id=element_id, style=SELECT_STYLE
    )
    return labelled(label, element_id, select)


def labelled(label: str, element_id: str, control: rx.Component) -> rx.Component:
    """A small label above `control` (whose id is `element_id`), tied to it for screen
    readers and clicks."""
    return rx.vstack(
        rx.el.label(label, html_for=element_id, font_size="0.8rem", font_weight="500"),
        control,
        spacing="1",
    )


def filter_bar(*children: rx.Component, **props) -> rx.Component:
    """Filters side by side, their controls lined up along the bottom, wrapping on a phone."""
    return rx.hstack(*children, align="end", wrap="wrap", spacing="3", width="100%", **props)
