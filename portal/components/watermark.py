"""The share-link watermark over the player: the viewer, the link and the date, tiled and
semi-transparent. React renders the text as text (a name with markup stays text). It sits inside
the player box, which assets/fullscreen.js puts in fullscreen, so it stays on top there too."""

from __future__ import annotations

import reflex as rx

from portal.services.sharing.view_types import NOTICE

TILES = 12


def _tile(text: rx.Var) -> rx.Component:
    return rx.el.span(
        text,
        class_name="watermark-tile",
        style={
            "transform": "rotate(-24deg)",
            "whiteSpace": "nowrap",
            "color": "rgba(255,255,255,0.38)",
            "textShadow": "0 0 2px rgba(0,0,0,0.45)",
            "fontSize": "clamp(10px, 2.2vmin, 22px)",
            "fontWeight": "600",
            "userSelect": "none",
        },
    )


def watermark_layer(text: rx.Var) -> rx.Component:
    """The overlay, to pass to `player(...)` among its overlays."""
    return rx.el.div(
        *[_tile(text) for _ in range(TILES)],
        class_name="watermark-layer",
        aria_hidden="true",
        style={
            "position": "absolute",
            "inset": "0",
            "zIndex": "3",
            "pointerEvents": "none",
            "overflow": "hidden",
            "display": "grid",
            "gridTemplateColumns": "repeat(3, 1fr)",
            "gridTemplateRows": "repeat(4, 1fr)",
            "placeItems": "center",
        },
    )


def watermark_notice() -> rx.Component:
    """Plain words on what the overlay is (and is not)."""
    return rx.text(NOTICE, size="1", color_scheme="gray", id="watermark-notice")
