"""Share-link UI for owners: the Share panel (asset page) and the link list (project page)."""

from __future__ import annotations

import reflex as rx

from portal.components.actions import confirm_button
from portal.components.charts import share_views_chart
from portal.components.new_link import form_messages
from portal.components.new_link import new_link_notice as shown_once
from portal.components.text import clipped, clipped_link
from portal.services.sharing.view_types import ClientDecisionView, ShareLinkSummary
from portal.settings import get_settings
from portal.state.share_links import ShareLinksState as S

WATERMARK_NOTE = (
    "Watermark: the viewer's name, the link's name and the date over the video (a deterrent "
    "overlay, not a forensic watermark); a download, when allowed, gets it burned in — only "
    "for versions the portal processed: a version hosted on Mux cannot have both."
)
# Shown wherever an owner turns the watermark on: what the overlay does not protect against.
WATERMARK_LIMIT = (
    "The watermark is drawn over the player: it deters casual copying but a determined viewer "
    "can still record the stream. The original file is never served."
)
STATUS_COLORS = {"active": "green", "expired": "gray", "revoked": "red", "exhausted": "orange"}


def watermark_limit() -> rx.Component:
    """The plain note beside a watermark: an overlay deters, it does not protect the stream."""
    return rx.text(WATERMARK_LIMIT, size="1", color_scheme="amber", class_name="watermark-limit")


def _small_form(link_id: rx.Var, field: rx.Component, label: str, on_submit) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="link_id", value=link_id),
            field,
            rx.button(label, size="1", type="submit"),
            align="center",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
    )


def options_form(link: ShareLinkSummary) -> rx.Component:
    """What a live link allows, editable after creation."""
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="link_id", value=link.id),
            rx.checkbox("Comments", name="allow_comments", default_checked=link.allow_comments),
            rx.checkbox("Download", name="allow_download", default_checked=link.allow_download),
            rx.checkbox(
                "Watermark", name="watermark", default_checked=link.watermark, title=WATERMARK_NOTE
            ),
            rx.checkbox(
                "Ask for a decision", name="ask_decision", default_checked=link.ask_decision
            ),
            rx.checkbox("Always latest", name="follow_latest", default_checked=link.follow_latest),
            rx.checkbox(
                "Tell clients about new versions",
                name="notify_new_versions",
                default_checked=link.notify_new_versions,
            ),
            rx.button("Save options", size="1", type="submit", class_name="share-save-options"),
            align="center",
            wrap="wrap",
        ),
        on_submit=S.set_options,
        # Keyed by the link's flags so the boxes follow a change made elsewhere.
        key=link.id
        + link.allow_comments.to_string()
        + link.allow_download.to_string()
        + link.watermark.to_string()
        + link.ask_decision.to_string()
        + link.follow_latest.to_string()
        + link.notify_new_versions.to_string(),
        class_name="share-options",
    )


def link_row(link: ShareLinkSummary, *, show_asset: bool) -> rx.Component:
    manage = rx.cond(
        S.can_share & link.live,
        rx.hstack(
            _small_form(
                link.id,
                rx.input(name="days", type="number", min=1, placeholder="days", width="5rem"),
                "Extend",
                S.extend,
            ),
            _small_form(
                link.id,
                rx.input(
                    name="passcode", type="password", placeholder="new passcode", width="9rem"
                ),
                "Set passcode",
                S.set_passcode,
            ),
            options_form(link),
            confirm_button(
                "Revoke",
                title="Revoke this link?",
                description="Anyone with the link loses access at once, also mid-playback. "
                "This cannot be undone: to share again, create a new link.",
                confirm_label="Revoke link",
                on_confirm=S.revoke(link.id),
                size="1",
                color_scheme="red",
                variant="soft",
                class_name="share-revoke",
            ),
            wrap="wrap",
        ),
    )
    return rx.box(
        rx.hstack(
            rx.badge(
                link.status_label,
                color_scheme=rx.match(link.status, *STATUS_COLORS.items(), "gray"),
                class_name="share-status",
                data_status=link.status,
            ),
            clipped(
                rx.cond(link.name != "", link.name, "Untitled link"),
                max_width="16rem",
                weight="bold",
                size="2",
            ),
            rx.cond(
                show_asset,
                clipped_link(link.asset_title, link.asset_href, max_width="16rem", size="2"),
            ),
            rx.cond(link.passcode, rx.badge("passcode", variant="outline")),
            rx.cond(link.allow_comments, rx.badge("comments", variant="outline")),
            rx.cond(link.allow_download, rx.badge("download", variant="outline")),
            rx.cond(link.watermark, rx.badge("watermark", variant="outline")),
            rx.cond(link.ask_decision, rx.badge("asks a decision", variant="outline")),
            rx.cond(link.follow_latest, rx.badge("always latest", variant="outline")),
            rx.cond(link.notify_new_versions, rx.badge("tells clients", variant="outline")),
            align="center",
            wrap="wrap",
        ),
        rx.cond(link.watermark, watermark_limit()),
        rx.text(
            "Views ",
            link.views,
            " · last viewed ",
            link.last_viewed,
            " · expires ",
            link.expires,
            size="1",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.button("Analytics", size="1", variant="outline", on_click=S.show_stats(link.id)),
            manage,
            wrap="wrap",
            margin_top="0.25rem",
        ),
        padding="0.5rem",
        border_left=f"2px solid {rx.color('gray', 5)}",
        class_name="share-link-row",
        data_link_id=link.id,
        width="100%",
    )


def analytics() -> rx.Component:
    return rx.cond(
        S.stats_link_id != "",
        rx.card(
            rx.vstack(
                rx.heading("Analytics ", rx.cond(S.stats_name != "", S.stats_name, ""), size="3"),
                rx.text(
                    S.stats_views,
                    " views · ",
                    S.stats_unique,
                    " unique viewers (per day) · ",
                    S.stats_comments,
                    " comments · last viewed ",
                    S.stats_last_viewed,
                    size="2",
                    id="share-stats",
                ),
                share_views_chart(S.stats_by_day),
                width="100%",
            ),
            width="100%",
        ),
    )


def create_form() -> rx.Component:
    settings = get_settings()
    return rx.form(
        rx.vstack(
            rx.input(name="name", placeholder="Name (optional)", max_length=200, id="share-name"),
            rx.hstack(
                rx.text("Expires in", size="2"),
                rx.input(
                    name="days",
                    type="number",
                    min=1,
                    max=settings.share_link_max_days,
                    default_value=str(settings.share_link_default_days),
                    width="5rem",
                    id="share-days",
                ),
                rx.text("days", size="2"),
                align="center",
            ),
            rx.input(
                name="passcode",
                type="password",
                placeholder="Passcode (optional)",
                max_length=128,
                auto_complete="new-password",
                id="share-new-passcode",
            ),
            rx.input(
                name="view_limit",
                type="number",
                min=1,
                placeholder="View limit (optional)",
                id="share-view-limit",
            ),
            rx.checkbox("Allow comments", name="allow_comments", id="share-allow-comments"),
            rx.checkbox("Allow download", name="allow_download", id="share-allow-download"),
            rx.checkbox("Watermark", name="watermark", id="share-watermark"),
            rx.checkbox(
                "Ask for a decision (the client can approve or request changes)",
                name="ask_decision",
                id="share-ask-decision",
            ),
            rx.checkbox(
                "Always latest (the link moves to each newer version when it is ready)",
                name="follow_latest",
                id="share-follow-latest",
            ),
            rx.checkbox(
                "Tell clients about new versions (by email, to the address they gave here)",
                name="notify_new_versions",
                id="share-notify-versions",
            ),
            rx.text(WATERMARK_NOTE, size="1", color_scheme="gray"),
            watermark_limit(),
            rx.button("Create link", type="submit", id="share-create"),
            width="100%",
        ),
        on_submit=S.create,
        reset_on_submit=True,
        width="100%",
    )


def new_link_notice() -> rx.Component:
    return shown_once(url=S.new_url, on_dismiss=S.dismiss_url, id_prefix="share")


def messages() -> rx.Component:
    return form_messages(error=S.error, notice=S.notice, error_id="share-error")


def share_panel(ready: rx.Var[bool] | bool = True) -> rx.Component:
    """The asset page's Share panel, closed behind its button until wanted (the page is for
    reviewing): create (only once the version is `ready`: nothing to play before), the new URL
    once, links with actions, analytics."""
    count = S.links.length()
    return rx.vstack(
        rx.hstack(
            rx.heading("Share", size="4"),
            rx.cond(
                (S.can_share & ready) | (count > 0),
                rx.button(
                    rx.cond(
                        S.panel_open,
                        "Hide sharing",
                        rx.cond(
                            count > 0,
                            "Share links (" + count.to_string() + ")",
                            "Share this version",
                        ),
                    ),
                    rx.cond(
                        S.panel_open,
                        rx.icon("chevron-up", size=16),
                        rx.icon("chevron-down", size=16),
                    ),
                    variant="soft",
                    on_click=S.toggle_panel,
                    aria_expanded=rx.cond(S.panel_open, "true", "false"),
                    id="share-toggle",
                ),
            ),
            align="center",
        ),
        messages(),
        rx.cond(
            S.can_share & ~ready,
            rx.text(
                "Links can be made once this version is ready.",
                size="2",
                color_scheme="gray",
                id="share-not-ready",
            ),
        ),
        rx.cond(
            S.panel_open,
            rx.vstack(
                new_link_notice(),
                rx.cond(S.can_share & ready, rx.card(create_form(), width="100%")),
                rx.foreach(S.links, lambda link: link_row(link, show_asset=False)),
                analytics(),
                width="100%",
                id="share-panel-body",
            ),
        ),
        width="100%",
        id="share-panel",
    )


DECISION_COLORS = {"approved": "green", "changes_requested": "orange"}


def client_decision_row(d: ClientDecisionView) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.badge(
                rx.cond(d.latest, "latest", "earlier"),
                color_scheme=rx.cond(d.latest, "blue", "gray"),
                variant="soft",
            ),
            rx.text(
                d.summary,
                weight=rx.cond(d.latest, "bold", "regular"),
                color=rx.cond(
                    d.latest, rx.match(d.decision, *DECISION_COLORS.items(), "gray"), None
                ),
                size="2",
                class_name="client-decision-summary",
            ),
            rx.text("via “", d.link_name, "” · ", d.when, size="1", color_scheme="gray"),
            align="center",
            wrap="wrap",
        ),
        rx.cond(d.note != "", rx.text(d.note, size="2", class_name="client-decision-note")),
        padding="0.25rem 0.5rem",
        border_left=f"2px solid {rx.color('gray', 5)}",
        opacity=rx.cond(d.latest, "1", "0.7"),
        class_name="client-decision",
        width="100%",
    )


def client_decisions() -> rx.Component:
    """Client decisions on this version through its share links, beside (and apart from) the
    studio's own approval: the latest per client and link first, the history greyed."""
    return rx.cond(
        S.decisions.length() > 0,
        rx.card(
            rx.vstack(
                rx.text("Client decisions (share links)", weight="bold", size="2"),
                rx.foreach(S.decisions, client_decision_row),
                spacing="1",
                width="100%",
            ),
            width="100%",
            id="client-decisions",
        ),
    )


def project_share_links() -> rx.Component:
    """The project page's list of every share link to any of its versions."""
    return rx.vstack(
        rx.heading("Share links", size="5"),
        messages(),
        rx.cond(
            S.links.length() > 0,
            rx.foreach(S.links, lambda link: link_row(link, show_asset=True)),
            rx.text("No share links yet. Share a version from its page.", color_scheme="gray"),
        ),
        analytics(),
        width="100%",
        id="project-share-links",
    )
