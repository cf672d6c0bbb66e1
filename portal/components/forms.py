"""Small form pieces shared by the project pages' dialogs."""

from __future__ import annotations

import reflex as rx


def field(label: str, control: rx.Component) -> rx.Component:
    """A labelled form control."""
    return rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%")


def text_input(name: str, *, default: rx.Var | str = "", max_length: int = 200, **props):  # type: ignore[no-untyped-def]
    return rx.input(
        name=name,
        id=f"field-{name}",
        default_value=default,
        max_length=max_length,
        width="100%",
        **props,
    )


def date_input(name: str, *, default: rx.Var | str = "") -> rx.Component:
    return rx.input(type="date", name=name, id=f"field-{name}", default_value=default)


def native_select(
    name: str, choices: list[tuple[str, str]] | rx.Var, *, default=""
) -> rx.Component:  # type: ignore[no-untyped-def]
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
    submit_id: str,  # type: ignore[no-untyped-def]
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
