"""The client review page of a share link: `/s/<token>`, no sign-in, the owner's branding.

The HTTP answer for this path comes from portal/api/share.py (status 200 or 404, no-referrer,
no-store); this module is what the browser then renders.
"""

from typing import Any

import reflex as rx

from portal import routes
from portal.components.annotations import (
    annotation_bar,
    annotation_field,
    annotation_layer,
    drawing_tools,
)
from portal.components.links import endpoint_button
from portal.components.player import player
from portal.components.review import PII_NOTE
from portal.components.text import not_empty
from portal.components.watermark import watermark_layer, watermark_notice
from portal.pages.registry import page
from portal.services.sharing.view_types import GuestCommentView
from portal.state.share_view import ShareViewState as S


def brand_bar(S: Any = S) -> rx.Component:  # noqa: N803 (the page's state class)
    """The owner's logo and name once the link is known; the portal's own for a link that is
    not available (whose owner the page does not reveal), never an empty logo box. `S`: the
    page's state (share links', or upload requests' with the same branding vars)."""
    return rx.hstack(
        rx.cond(
            S.loaded,
            rx.hstack(
                rx.image(
                    src=rx.cond(S.logo != "", S.logo, "/logo.svg"),
                    width="32px",
                    height="32px",
                    alt="",
                    object_fit="contain",
                    id="share-logo",
                ),
                rx.heading(
                    rx.cond(S.brand_name != "", S.brand_name, "Motion Mavericks"),
                    size="4",
                    id="share-brand",
                ),
                align="center",
            ),
        ),
        align="center",
        min_height="4rem",
        padding="1rem 1.5rem",
        width="100%",
        border_top="4px solid",
        border_top_color=S.accent,
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def unavailable() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("This link is not available", size="5"),
            rx.text(
                "It may have expired or been switched off. "
                "Ask the person who shared it with you for a new link.",
                color_scheme="gray",
            ),
        ),
        id="share-unavailable",
        max_width="32rem",
    )


def passcode_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Enter the passcode", size="4"),
                rx.text("The person who shared this video set a passcode.", color_scheme="gray"),
                rx.input(
                    name="passcode",
                    type="password",
                    max_length=128,
                    auto_complete="off",
                    id="share-passcode",
                    width="100%",
                ),
                rx.cond(
                    S.watermark,
                    rx.input(
                        name="viewer",
                        placeholder="Your name or email (shown on the video)",
                        max_length=120,
                        id="share-viewer",
                        width="100%",
                    ),
                ),
                rx.cond(
                    S.passcode_error != "",
                    rx.text(S.passcode_error, color_scheme="red", size="2", id="passcode-error"),
                ),
                rx.button("Watch", type="submit", id="share-passcode-submit"),
                width="100%",
            ),
            on_submit=S.submit_passcode,
            reset_on_submit=True,
        ),
        max_width="24rem",
        width="100%",
    )


def comment_item(c: GuestCommentView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.button(
                "▶ " + c.timecode,
                size="1",
                variant="soft",
                custom_attrs={
                    "data-seek": c.seconds,
                    "data-drawing": rx.cond(c.has_drawing, c.id, ""),
                },
            ),
            rx.cond(c.has_drawing, rx.badge("✎ drawing", variant="soft")),
            rx.text(c.author_name, weight="bold", size="2"),
            rx.text(c.created_at, size="1", color_scheme="gray"),
            align="center",
        ),
        rx.text(c.body, size="2", class_name="guest-comment-body"),
        padding="0.5rem",
        border_left=f"2px solid {rx.color('gray', 5)}",
        class_name="guest-comment",
        width="100%",
    )


def comment_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                S.guest_name == "",
                rx.hstack(
                    rx.input(name="name", placeholder="Your name", max_length=100, id="guest-name"),
                    rx.input(
                        name="email",
                        type="email",
                        placeholder="Your email",
                        max_length=320,
                        id="guest-email",
                    ),
                    wrap="wrap",
                ),
                rx.text("Commenting as ", S.guest_name, size="1", color_scheme="gray"),
            ),
            rx.el.input(type="hidden", name="timecode", id="comment-timecode", default_value="0"),
            rx.el.input(type="hidden", name="version", value=S.version_id),
            annotation_field(S.drawings_saved),
            rx.text_area(name="body", max_length=10000, width="100%", id="guest-comment-body"),
            rx.text(PII_NOTE, size="1", color_scheme="gray"),
            rx.cond(
                S.comment_error != "",
                rx.text(S.comment_error, color_scheme="red", size="2", id="guest-comment-error"),
            ),
            rx.cond(S.notice != "", rx.text(S.notice, color_scheme="green", size="2")),
            rx.button("Send comment at this moment", type="submit", id="guest-comment-submit"),
            width="100%",
        ),
        on_submit=S.post_comment,
        reset_on_submit=True,
        width="100%",
    )


def decision_panel() -> rx.Component:
    """Approve or Request changes, with a note (required for changes); the client's latest
    decision on this version above it. Each button first says which it is (choose), then the
    form submits with this page's key for the press."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Your decision", size="4"),
                rx.cond(
                    S.my_decision != "",
                    rx.vstack(
                        rx.text(S.my_decision, " · ", S.my_decision_when, weight="bold", size="2"),
                        rx.cond(
                            S.my_decision_note != "",
                            rx.text(S.my_decision_note, size="2", color_scheme="gray"),
                        ),
                        rx.text(
                            "You can change it: your latest decision counts.",
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="1",
                        id="my-decision",
                    ),
                    rx.text(
                        "The person who shared this video asks you to approve it or to say "
                        "what should change.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                rx.cond(
                    S.guest_name == "",
                    rx.hstack(
                        rx.input(
                            name="name", placeholder="Your name", max_length=100, id="decision-name"
                        ),
                        rx.input(
                            name="email",
                            type="email",
                            placeholder="Your email",
                            max_length=320,
                            id="decision-email",
                        ),
                        wrap="wrap",
                    ),
                    rx.text("Deciding as ", S.guest_name, size="1", color_scheme="gray"),
                ),
                rx.el.input(type="hidden", name="key", value=S.decision_key),
                rx.text_area(
                    name="note",
                    placeholder="A note (required when you request changes)",
                    max_length=2000,
                    width="100%",
                    id="decision-note",
                ),
                rx.cond(
                    S.decision_error != "",
                    rx.text(S.decision_error, color_scheme="red", size="2", id="decision-error"),
                ),
                rx.cond(
                    S.decision_notice != "",
                    rx.text(S.decision_notice, color_scheme="green", size="2"),
                ),
                rx.hstack(
                    rx.button(
                        "Approve",
                        type="submit",
                        color_scheme="green",
                        on_click=S.choose("approved"),  # type: ignore[operator]
                        id="decision-approve",
                    ),
                    rx.button(
                        "Request changes",
                        type="submit",
                        color_scheme="orange",
                        on_click=S.choose("changes_requested"),  # type: ignore[operator]
                        id="decision-changes",
                    ),
                    wrap="wrap",
                ),
                width="100%",
            ),
            on_submit=S.decide,
            reset_on_submit=True,
            width="100%",
        ),
        width="100%",
        id="share-decision",
    )


def renewal() -> rx.Component:
    """Hidden: assets/share_renew.js presses it every few minutes for a fresh playback grant."""
    return rx.fragment(
        rx.script(src="/share_renew.js"),
        rx.el.button(
            type="button",
            id="share-renew",
            on_click=S.renew,
            hidden=True,
            custom_attrs={
                "data-renewal": S.renewal,
                "data-path": S.renewal_path,
                "data-every": S.renew_every_ms,
            },
        ),
    )


def watch() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(S.title, " ", S.label, size="6", id="share-title"),
            rx.cond(
                S.download_url != "",
                endpoint_button(
                    "Download",
                    href=S.download_url,
                    download=True,
                    element_id="share-download",
                    variant="soft",
                ),
            ),
            rx.cond(
                S.download_preparing,
                rx.button(
                    "Download: the watermarked copy is being prepared…",
                    variant="soft",
                    disabled=True,
                    id="share-download-preparing",
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.download_note != "",
            rx.text(S.download_note, size="2", color_scheme="gray", id="share-download-note"),
        ),
        rx.flex(
            rx.box(
                player(
                    S.src,
                    S.poster,
                    S.frame_rate,
                    annotation_layer(S.drawings),
                    rx.cond(S.watermark, watermark_layer(S.watermark_text)),
                ),
                annotation_bar(),
                rx.cond(S.watermark, watermark_notice()),
                rx.cond(S.allow_comments, drawing_tools()),
                rx.cond(S.ask_decision, rx.box(decision_panel(), padding_top="1rem")),
                renewal(),
                flex="3",
                min_width="320px",
            ),
            rx.cond(
                S.allow_comments,
                rx.box(
                    rx.vstack(
                        rx.heading("Comments", size="4"),
                        rx.cond(
                            not_empty(S.comments),
                            rx.foreach(S.comments, comment_item),
                            rx.text(
                                "No comments yet. Pause where you have something to say and "
                                "write it below: it is pinned to that moment.",
                                size="2",
                                color_scheme="gray",
                                id="no-guest-comments",
                            ),
                        ),
                        comment_form(),
                        width="100%",
                        id="guest-comments",
                    ),
                    flex="2",
                    min_width="280px",
                ),
            ),
            spacing="5",
            width="100%",
            wrap="wrap",
        ),
        width="100%",
        spacing="4",
    )


@page(route=routes.SHARE + "/[token]", title="Shared video", roles=(), on_load=S.load)
def share() -> rx.Component:
    return rx.vstack(
        brand_bar(),
        rx.box(
            rx.cond(
                ~S.loaded,
                rx.spinner(size="3"),
                rx.cond(
                    ~S.available,
                    unavailable(),
                    rx.cond(S.needs_passcode, passcode_form(), watch()),
                ),
            ),
            padding="1.5rem",
            width="100%",
        ),
        width="100%",
        spacing="0",
        id="share-page",
    )
