"""A task's comment thread: replies indented, edit/delete own within the window, reply box."""

from __future__ import annotations

import reflex as rx

from portal.components.actions import confirm_button, text_action
from portal.services.projects.view_types import CommentView


def comment_item(c: CommentView, on_reply, on_edit, on_delete) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.box(
        rx.hstack(
            rx.text(c.author_name, weight="bold", size="2"),
            rx.text(c.created_at, size="1", color_scheme="gray"),
            rx.cond(c.edited, rx.text("(edited)", size="1", color_scheme="gray")),
            align="center",
        ),
        rx.cond(
            c.can_edit,
            rx.input(default_value=c.body, on_blur=lambda v: on_edit(c.id, v), max_length=10000),
            rx.text(c.body, size="2", color=rx.cond(c.deleted, rx.color("gray", 10), "inherit")),
        ),
        rx.cond(
            c.mentions != "", rx.text("Mentions: " + c.mentions, size="1", color_scheme="blue")
        ),
        rx.hstack(
            rx.cond(
                ~c.is_reply & ~c.deleted,
                text_action("Reply", on_reply(c.id), class_name="comment-reply"),
            ),
            rx.cond(
                c.can_edit,
                confirm_button(
                    "Delete",
                    title="Delete this comment?",
                    description="Everyone will see “This comment was deleted.” instead.",
                    confirm_label="Delete comment",
                    on_confirm=on_delete(c.id),
                    class_name="comment-delete",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                ),
            ),
        ),
        margin_left=rx.cond(c.is_reply, "2rem", "0"),
        padding="0.5rem",
        border_left=f"2px solid {rx.color('gray', 5)}",
        class_name="comment",
        width="100%",
    )


TASK_PII_NOTE = (
    "Email addresses and phone numbers are removed from comments before they are saved;"
    " an @mention by email still reaches the person."
)


def comment_box(reply_to: rx.Var, on_submit, on_cancel_reply, error: rx.Var) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.form(
        rx.vstack(
            rx.cond(
                reply_to != "",
                rx.hstack(
                    rx.text("Replying in thread", size="1"),
                    text_action("cancel", on_cancel_reply),
                ),
            ),
            rx.text_area(
                name="body",
                placeholder="Comment… use @name to mention someone",
                max_length=10000,
                width="100%",
                id="comment-body",
            ),
            rx.text(TASK_PII_NOTE, size="1", color_scheme="gray", id="task-pii-note"),
            rx.cond(error != "", rx.text(error, color_scheme="red", size="2")),
            rx.button("Post", type="submit", size="2", id="post-comment"),
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )
