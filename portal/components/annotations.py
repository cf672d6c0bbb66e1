"""Drawings over the review player (assets/annotate.js does the browser-side work).

Any page with `player(...)` can show drawings: pass `annotation_layer(drawings)` as the player's
overlay (`drawings` is the JSON of `drawing_marks_json`), put `annotation_bar()` near it for the
show/hide toggle and fullscreen, and — where people may comment — `drawing_tools()` plus
`annotation_field()` inside the comment form.
"""

from __future__ import annotations

import reflex as rx

from portal.services.media.view_types import MAX_LABEL, PALETTE

TOOLS = (("pen", "✎ Pen"), ("arrow", "↗ Arrow"), ("rect", "▭ Box"), ("ellipse", "◯ Ellipse"))


def annotation_layer(drawings: rx.Var | str) -> rx.Component:
    """The SVG layer placed over the picture; it must sit inside the player box."""
    return rx.el.div(
        rx.script(src="/annotate.js"),
        class_name="annotation-layer",
        data_drawings=drawings,
        aria_label="Drawings on this frame",
        role="img",
    )


def annotation_bar() -> rx.Component:
    """Show/hide every drawing, and fullscreen the player box (the drawings stay on top)."""
    return rx.hstack(
        rx.el.label(
            rx.el.input(type="checkbox", id="annotations-visible", default_checked=True),
            " Show drawings",
            style={"fontSize": "var(--font-size-1)", "display": "flex", "gap": "0.3rem"},
        ),
        rx.button(
            "Fullscreen",
            size="1",
            variant="soft",
            type="button",
            id="player-fullscreen",
            title="Fullscreen with the drawings (F)",
            custom_attrs={"data-annotate-action": "fullscreen"},
        ),
        align="center",
    )


def _tool(value: str, label: str) -> rx.Component:
    return rx.button(
        label,
        size="1",
        variant="soft",
        type="button",
        class_name="annotate-tool",
        custom_attrs={"data-annotate-tool": value},
    )


def _swatch(name: str, colour: str) -> rx.Component:
    return rx.el.button(
        type="button",
        title=name,
        aria_label=f"{name} ink",
        class_name="annotate-color",
        custom_attrs={"data-annotate-color": name},
        style={
            "width": "1.25rem",
            "height": "1.25rem",
            "borderRadius": "50%",
            "background": colour,
            "border": "1px solid var(--gray-8)",
            "cursor": "pointer",
        },
    )


def _action(action: str, label: str) -> rx.Component:
    return rx.button(
        label,
        size="1",
        variant="outline",
        type="button",
        custom_attrs={"data-annotate-action": action},
        class_name=f"annotate-{action}",
    )


def drawing_tools() -> rx.Component:
    """Draw on the paused frame for the next comment: tools, colours, undo/redo, clear."""
    return rx.vstack(
        rx.hstack(
            rx.button(
                "Draw on frame",
                size="1",
                type="button",
                id="annotate-draw",
                custom_attrs={"data-annotate-action": "toggleDrawing"},
            ),
            *[_tool(value, label) for value, label in TOOLS],
            rx.el.input(
                id="annotate-text",
                placeholder="Label text",
                max_length=MAX_LABEL,
                style={"width": "8rem", "fontSize": "var(--font-size-1)"},
            ),
            _tool("text", "T Text"),
            align="center",
            wrap="wrap",
        ),
        rx.hstack(
            *[_swatch(name, colour) for name, colour in PALETTE.items()],
            _action("undo", "Undo"),
            _action("redo", "Redo"),
            _action("erase", "Clear"),
            rx.text("", size="1", color_scheme="gray", id="annotate-status"),
            align="center",
            wrap="wrap",
        ),
        spacing="1",
        id="drawing-tools",
    )


def annotation_field(saved: rx.Var | None = None) -> rx.Component:
    """The comment form's hidden field holding the draft drawing (kept current by the script).
    `saved`: a counter the page bumps after storing a comment with its drawing; the script then
    clears the draft (for pages that cannot use rx.call_script, e.g. the client page)."""
    extra = {"data-saved": saved} if saved is not None else {}
    return rx.el.input(
        type="hidden",
        name="annotation",
        id="comment-annotation",
        default_value="",
        custom_attrs=extra,
    )
