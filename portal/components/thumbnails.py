"""Poster thumbnails: in the project's deliverables table and the review page's version
switcher (posters are made when a version is processed; served by /api/media/<id>/poster.jpg
after the same access check as the video)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal.components.review import review_badge
from portal.services.media.view_types import VersionView


def thumbnail(src: Any, alt: Any, width: str) -> rx.Component:
    """A 16:9 poster, or a grey box saying there is none yet (still processing)."""
    # A fixed size: in a table squeezed on a phone, `max-width: 100%` would shrink it to 0.
    size = {
        "width": width,
        "minWidth": width,
        "maxWidth": "none",
        "aspectRatio": "16 / 9",
        "borderRadius": "4px",
        "flexShrink": "0",
    }
    return rx.cond(
        src != "",
        rx.image(
            src=src,
            alt=alt,
            loading="lazy",
            class_name="poster-thumb",
            style={**size, "objectFit": "cover", "background": "black", "display": "block"},
        ),
        rx.center(
            rx.text("No preview yet", size="1", color_scheme="gray", align="center"),
            class_name="poster-missing",
            style={**size, "background": rx.color("gray", 3)},
        ),
    )


def version_card(v: VersionView, current_id: Any) -> rx.Component:
    """One version in the switcher: its poster, label and review state; the shown one marked."""
    current = v.id == current_id
    return rx.link(
        rx.vstack(
            thumbnail(v.poster, "Poster of " + v.label, "120px"),
            rx.hstack(
                rx.text(v.label, size="2", weight=rx.cond(current, "bold", "regular")),
                review_badge(v.review_status, v.review_label),
                align="center",
                spacing="1",
            ),
            spacing="1",
        ),
        href=v.href,
        underline="none",
        class_name="version-thumb",
        custom_attrs={"aria-current": rx.cond(current, "page", "false"), "data-label": v.label},
        style={
            "padding": "4px",
            "borderRadius": "6px",
            "flexShrink": "0",
            "border": rx.cond(
                current, f"2px solid {rx.color('accent', 9)}", "2px solid transparent"
            ),
        },
    )


def version_switcher(versions: Any, current_id: Any) -> rx.Component:
    """Every version of the deliverable as a poster, newest first (scrolls sideways on a
    phone); shown when there is more than one."""
    return rx.cond(
        versions.length() > 1,
        rx.hstack(
            rx.foreach(versions, lambda v: version_card(v, current_id)),
            id="version-switcher",
            aria_label="Versions",
            spacing="2",
            width="100%",
            style={"overflowX": "auto"},
        ),
    )
