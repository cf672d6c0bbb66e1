"""What a link-making form shows after it acts: the new link's URL, once (share links,
upload requests), and the form's error and notice."""

from __future__ import annotations

from typing import Any

import reflex as rx


def new_link_notice(*, url: rx.Var[str] | str, on_dismiss: Any, id_prefix: str) -> rx.Component:
    """The URL of a link just created (its token is stored only as a hash: shown this once),
    with Copy and Done (`on_dismiss` forgets it). Ids: <id_prefix>-new-url, <id_prefix>-copy."""
    return rx.cond(
        url != "",
        rx.callout(
            rx.vstack(
                rx.text("Copy this link now: it is shown only once."),
                rx.code(url, id=f"{id_prefix}-new-url", word_break="break-all"),
                rx.hstack(
                    rx.button(
                        "Copy", size="1", on_click=rx.set_clipboard(url), id=f"{id_prefix}-copy"
                    ),
                    rx.button("Done", size="1", variant="soft", on_click=on_dismiss),
                ),
            ),
            color_scheme="green",
            width="100%",
        ),
    )


def form_messages(
    *, error: rx.Var[str] | str, notice: rx.Var[str] | str, error_id: str
) -> rx.Component:
    """The form's error (red callout, id `error_id`) and notice (green text), when set."""
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, color_scheme="red", id=error_id)),
        rx.cond(notice != "", rx.text(notice, size="2", color_scheme="green")),
    )
