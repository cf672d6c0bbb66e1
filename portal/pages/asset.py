"""Asset review page: player, version stack and compare, live status, comments, approval."""

import reflex as rx
from reflex.vars import ArrayVar

from portal import routes
from portal.components.annotations import annotation_bar, annotation_layer, drawing_tools
from portal.components.badges import media_status_badge
from portal.components.compare import compare_links, earlier_toggles
from portal.components.exports import export_bar
from portal.components.player import player
from portal.components.review import (
    comment_filters,
    comment_form,
    comment_row,
    review_badge,
    version_row,
)
from portal.components.share import client_decisions, share_panel
from portal.components.text import not_empty
from portal.components.thumbnails import version_switcher
from portal.pages.registry import page
from portal.state.actions import ROLES
from portal.state.asset import AssetState as S
from portal.state.share_links import ShareLinksState


def header() -> rx.Component:
    return rx.vstack(
        rx.link("← Project", href=routes.PROJECT + "?id=" + S.asset.project_id, size="2"),
        rx.hstack(
            media_status_badge(
                S.asset.status, S.asset.status_label, id="asset-status", data_status=S.asset.status
            ),
            review_badge(S.asset.review_status, S.asset.review_label),
            align="center",
        ),
        rx.text(
            S.asset.filename, " · ", S.asset.duration, " · ", S.asset.size, color_scheme="gray"
        ),
        rx.cond(S.asset.reviewed != "", rx.text(S.asset.reviewed, size="2", id="reviewed")),
        rx.cond(S.asset.playable, export_bar(S.asset.id, S.asset.backend)),
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", id="page-error")),
        rx.cond(
            S.asset.error_reason != "",
            rx.callout(S.asset.error_reason, color_scheme="red", id="processing-error"),
        ),
    )


def decision_button(offered: ArrayVar, label: str, decision: str, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """Offered only when the version's review state allows this decision next (`offered`)."""
    return rx.cond(
        offered.contains(decision),
        rx.button(
            label, on_click=S.review(decision, False), class_name="review-" + decision, **props
        ),
    )


def approval_bar() -> rx.Component:
    return rx.cond(
        S.can_approve & S.asset.playable,
        rx.vstack(
            rx.hstack(
                decision_button(S.decisions, "Approve", "approved", color_scheme="green"),
                decision_button(
                    S.decisions, "Request changes", "changes_requested", color_scheme="orange"
                ),
                decision_button(S.decisions, "Back to review", "in_review", variant="soft"),
                rx.cond(~S.asset.is_latest, rx.badge("Older version", color_scheme="orange")),
                id="review-actions",
            ),
            rx.cond(
                S.confirm_old != "",
                rx.callout(
                    rx.vstack(
                        rx.text(S.confirm_old),
                        rx.button(
                            "Approve this older version",
                            size="1",
                            color_scheme="green",
                            on_click=S.review("approved", True),
                            id="confirm-old",
                        ),
                    ),
                    color_scheme="orange",
                ),
            ),
        ),
    )


def viewer() -> rx.Component:
    return rx.cond(
        S.asset.playable,
        rx.vstack(
            player(
                S.src,
                S.poster,
                S.asset.frame_rate,
                annotation_layer(S.drawings),
                comments=S.comments,
                loop=True,
            ),
            annotation_bar(),
            rx.cond(S.can_comment & (S.reply_to == ""), drawing_tools()),
            rx.cond(
                S.compare_id != "",
                rx.button(
                    rx.cond(S.showing_compare, "Showing ", "Show "),
                    S.compare_label,
                    " (toggle back to ",
                    S.asset.label,
                    ")",
                    variant="outline",
                    on_click=[rx.call_script("window.portalPlayer.remember()"), S.toggle_compare],
                    id="toggle-compare",
                ),
            ),
            rx.cond(S.compare_id != "", compare_links(S.asset_id, S.compare_id)),
            # The comment box sits under the player, beside the moment it is about (the list
            # is on the right, or below on a phone).
            rx.cond(
                S.can_comment,
                comment_form(
                    S.post_comment,
                    S.reply_to,
                    S.set_reply_to(""),
                    S.comment_error,
                    S.mention_people,
                ),
            ),
            width="100%",
        ),
        rx.card(
            rx.text(
                rx.cond(
                    S.asset.status == "errored",
                    "This version could not be processed.",
                    "Processing… this page updates by itself when the video is ready.",
                ),
                id="processing-note",
            ),
            width="100%",
        ),
    )


def no_comments() -> rx.Component:
    """Why the list is empty, and what to do."""
    return rx.text(
        rx.cond(
            (S.comment_filter != "all") | (S.comment_query != ""),
            "No comments match. Choose “All comments” or search for something else.",
            rx.cond(
                S.can_comment & S.asset.playable,
                "No comments yet. Pause on a frame and write in the comment box: the comment "
                "is pinned to that moment.",
                "No comments on this version yet.",
            ),
        ),
        size="2",
        color_scheme="gray",
        id="no-comments",
    )


def comments_panel() -> rx.Component:
    return rx.vstack(
        rx.heading("Comments", size="4"),
        comment_filters(S.comment_filter, S.set_filter, S.search),
        earlier_toggles(S.earlier_versions, S.with_earlier, S.show_earlier),
        rx.cond(
            not_empty(S.comments),
            rx.foreach(
                S.comments, lambda c: comment_row(c, S.set_reply_to, S.resolve, S.can_comment)
            ),
            no_comments(),
        ),
        width="100%",
        id="comments",
    )


@page(
    route=routes.ASSET,
    title="Deliverable",
    roles=ROLES,
    on_load=[S.load, ShareLinksState.load_asset],
    # The deliverable's title and version ("Hero film v2") names the page.
    heading=rx.cond(S.asset.title != "", S.asset.title + " " + S.asset.label, "Deliverable"),
)
def asset() -> rx.Component:
    return rx.vstack(
        header(),
        version_switcher(S.versions, S.asset_id),
        approval_bar(),
        client_decisions(),
        rx.flex(
            rx.box(viewer(), flex="3", min_width="320px"),
            rx.box(comments_panel(), flex="2", min_width="280px"),
            spacing="5",
            width="100%",
            wrap="wrap",
        ),
        rx.heading("Versions", size="4"),
        rx.vstack(
            rx.foreach(
                S.versions, lambda v: version_row(v, S.asset_id, S.compare_id, S.set_compare)
            ),
            id="versions",
        ),
        share_panel(ready=S.asset.playable),
        width="100%",
        spacing="4",
        align="start",
    )
