"""Review UI pieces: the version stack, approval buttons and the timecoded comment panel."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal.components.actions import text_action
from portal.components.annotations import annotation_field
from portal.components.badges import media_status_badge
from portal.components.forms import filter_bar, filter_select, labelled
from portal.components.text import not_empty
from portal.services.media.view_types import AssetCommentView, BodyPart, VersionView

REVIEW_COLORS = {"approved": "green", "changes_requested": "orange", "in_review": "gray"}
PII_NOTE = (
    "Email addresses and phone numbers are removed from comments (and drawing labels) before"
    " they are saved."
)


def review_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(status, *REVIEW_COLORS.items(), "gray"),
        class_name="review-status",
    )


def version_row(v: VersionView, current_id: rx.Var, compare_id: rx.Var, on_compare) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.hstack(
        rx.link(
            rx.text(v.label, weight=rx.cond(v.id == current_id, "bold", "regular")),
            href=v.href,
        ),
        media_status_badge(v.status, v.status_label),
        review_badge(v.review_status, v.review_label),
        rx.text(v.created_at, size="1", color_scheme="gray"),
        rx.cond(
            v.id != current_id,
            rx.button(
                rx.cond(v.id == compare_id, "Comparing", "Compare"),
                size="1",
                variant=rx.cond(v.id == compare_id, "solid", "soft"),
                on_click=on_compare(v.id),
                class_name="compare-version",
            ),
        ),
        align="center",
        class_name="version-row",
    )


def body_part(p: BodyPart) -> rx.Component:
    """Plain text, or an @mention as a chip naming the person."""
    return rx.cond(
        p.person != "",
        rx.badge(
            p.text,
            title=p.person,
            variant="soft",
            color_scheme="blue",
            radius="full",
            class_name="mention-chip",
        ),
        rx.fragment(p.text),
    )


def comment_row(c: AssetCommentView, on_reply, on_resolve, can_comment: rx.Var) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.box(
        rx.hstack(
            rx.cond(
                ~c.is_reply,
                rx.button(
                    "▶ " + c.timecode,
                    size="1",
                    variant="soft",
                    custom_attrs={
                        "data-seek": c.seconds,
                        "data-drawing": rx.cond(c.has_drawing, c.id, ""),
                    },
                    class_name="comment-seek",
                ),
            ),
            rx.cond(
                c.version_label != "",
                rx.badge("From " + c.version_label, color_scheme="blue", class_name="from-version"),
            ),
            rx.cond(c.has_drawing & ~c.is_reply, rx.badge("✎ drawing", variant="soft")),
            rx.text(c.author_name, weight="bold", size="2"),
            rx.text(c.created_at, size="1", color_scheme="gray"),
            rx.cond(c.resolved & ~c.is_reply, rx.badge("Resolved", color_scheme="green")),
            align="center",
        ),
        rx.cond(
            not_empty(c.parts),
            rx.text(rx.foreach(c.parts, body_part), size="2", class_name="comment-body"),
            rx.text(c.body, size="2", class_name="comment-body"),
        ),
        rx.cond(
            can_comment & ~c.is_reply,
            rx.hstack(
                # A reply goes on the comment's own version (open it to reply there).
                rx.cond(
                    c.version_label == "",
                    text_action("Reply", on_reply(c.id), class_name="comment-reply"),
                ),
                text_action(
                    rx.cond(c.resolved, "Reopen", "Resolve"),
                    on_resolve(c.id, ~c.resolved),
                    class_name="comment-resolve",
                ),
            ),
        ),
        margin_left=rx.cond(c.is_reply, "2rem", "0"),
        padding="0.5rem",
        border_left=f"2px solid {rx.color('gray', 5)}",
        class_name="asset-comment",
        width="100%",
    )


def range_controls() -> rx.Component:
    """In/out points for a range comment, set from the player's time by assets/player.js
    (buttons or the I / O keys); the label shows the marked range."""
    return rx.hstack(
        rx.button("Mark in (I)", type="button", size="1", variant="soft", id="mark-in"),
        rx.button("Mark out (O)", type="button", size="1", variant="soft", id="mark-out"),
        rx.button("Clear range", type="button", size="1", variant="ghost", id="clear-range"),
        rx.text("", size="1", id="comment-range"),
        align="center",
        wrap="wrap",
    )


def comment_form(
    on_submit: Any, reply_to: rx.Var, on_cancel: Any, error: rx.Var, people: Any = "[]"
) -> rx.Component:
    """New comment at the player's current time (the script keeps the hidden field current)."""
    return rx.form(
        rx.vstack(
            rx.cond(
                reply_to != "",
                rx.hstack(
                    rx.text("Replying in thread", size="1", id="replying"),
                    text_action("cancel", on_cancel),
                ),
                rx.text("Comment at the current frame", size="1", color_scheme="gray"),
            ),
            rx.el.input(type="hidden", name="timecode", id="comment-timecode", default_value="0"),
            rx.el.input(type="hidden", name="end", id="comment-end", default_value=""),
            rx.cond(reply_to == "", range_controls()),
            annotation_field(),
            # `people`: who typing @ suggests (assets/mentions.js).
            rx.script(src="/mentions.js"),
            rx.text_area(
                name="body",
                max_length=10000,
                width="100%",
                id="asset-comment-body",
                placeholder="Comment… type @ to mention someone",
                custom_attrs={"data-mentions": people},
            ),
            rx.text(PII_NOTE, size="1", color_scheme="gray", id="pii-note"),
            rx.cond(error != "", rx.text(error, color_scheme="red", size="2", id="comment-error")),
            rx.button("Post comment", type="submit", size="2", id="post-asset-comment"),
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
        width="100%",
    )


def comment_filters(value: rx.Var, on_filter, on_search) -> rx.Component:  # type: ignore[no-untyped-def]
    return filter_bar(
        filter_select(
            "Show",
            "comment-filter",
            [("all", "All comments"), ("open", "Open"), ("resolved", "Resolved")],
            value=value,
            on_change=on_filter,
        ),
        rx.form(
            labelled(
                "Search",
                "comment-search",
                rx.hstack(
                    rx.input(name="q", placeholder="Words in a comment", id="comment-search"),
                    rx.button("Search", type="submit", variant="soft"),
                ),
            ),
            on_submit=on_search,
        ),
    )
