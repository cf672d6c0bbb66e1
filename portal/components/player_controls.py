"""Controls under the review player: the scrubber with a marker per comment (a bar per range
comment), playback speed, looping the marked in/out range, and the keyboard-shortcut sheet
(`?`). assets/player_controls.js does the browser-side work (no `rx.call_script`, so the client
page's Content-Security-Policy allows it too)."""

from __future__ import annotations

import reflex as rx

from portal.services.media.view_types import AssetCommentView

SPEEDS = ("0.25", "0.5", "1", "1.5", "2")
# What the sheet lists: (keys, what they do).
SHORTCUTS = (
    ("Space", "Play / pause"),
    ("K", "Pause (and back to normal speed)"),
    ("L", "Play forwards; again: faster (up to 8×)"),
    (
        "J",
        "Play backwards where the browser can (Safari); Chrome, Edge and Firefox cannot play "
        "video backwards, so there J steps back one second",
    ),
    ("← / →  or  , / .", "One frame back / forward"),
    ("I / O", "Mark the in / out point of a range comment"),
    ("F", "Fullscreen with the drawings"),
    ("?", "Show or hide this sheet"),
)
_TIP = {
    "display": "none",
    "position": "absolute",
    "bottom": "calc(100% + 6px)",
    "left": "50%",
    "transform": "translateX(-50%)",
    "width": "max-content",
    "maxWidth": "240px",
    "padding": "0.35rem 0.5rem",
    "borderRadius": "6px",
    "background": rx.color("gray", 12),
    "color": rx.color("gray", 1),
    "fontSize": "12px",
    "lineHeight": "1.3",
    "textAlign": "left",
    "whiteSpace": "normal",
    "zIndex": "5",
    "pointerEvents": "none",
}


def marker(c: AssetCommentView) -> rx.Component:
    """One comment on the scrubber: a dot at its time or a bar over its range (placed by the
    script once the video's duration is known); its text shows on hover or focus."""
    return rx.el.button(
        rx.el.span(
            rx.cond(c.version_label != "", c.version_label + " · ", ""),
            rx.el.strong(c.timecode),
            " · ",
            c.author_name,
            rx.el.br(),
            c.body,
            class_name="marker-tip",
            style=_TIP,
        ),
        type="button",
        aria_label="Comment at " + c.timecode + ": " + c.body,
        class_name=rx.cond(
            c.end_seconds != "", "comment-marker comment-marker-range", "comment-marker"
        ),
        custom_attrs={
            "data-seek": c.seconds,
            "data-end": c.end_seconds,
            "data-drawing": rx.cond(c.has_drawing, c.id, ""),
            "data-resolved": rx.cond(c.resolved, "true", "false"),
        },
        style={
            "position": "absolute",
            "top": "0",
            "height": "14px",
            "minWidth": "8px",
            "zIndex": "2",
            "padding": "0",
            "border": "none",
            "borderRadius": "7px",
            "cursor": "pointer",
            "visibility": "hidden",  # until placed
            "background": rx.cond(c.resolved, rx.color("green", 9), rx.color("orange", 9)),
            "&:hover .marker-tip, &:focus-visible .marker-tip": {"display": "block"},
            # A range is a thinner bar in the lower lane, under the point markers.
            "&.comment-marker-range": {"top": "12px", "height": "8px", "zIndex": "1"},
            "&.comment-marker-range:hover": {"zIndex": "3"},
            "&.tip-left .marker-tip": {"left": "auto", "right": "0", "transform": "none"},
            "&.tip-right .marker-tip": {"left": "0", "transform": "none"},
        },
    )


def scrubber(comments: rx.Var) -> rx.Component:
    """A timeline under the video: click to seek; the playhead, the marked loop range and one
    marker per comment thread (replies share their thread's marker)."""
    part = {"position": "absolute", "top": "9px", "height": "4px", "pointerEvents": "none"}
    return rx.box(
        rx.el.div(
            class_name="scrubber-track",
            style={**part, "left": "0", "right": "0", "background": rx.color("gray", 6)},
        ),
        rx.el.div(
            class_name="scrubber-loop",
            style={
                **part,
                "top": "6px",
                "height": "10px",
                "display": "none",
                "background": rx.color("blue", 6),
            },
        ),
        rx.el.div(
            class_name="scrubber-head",
            style={
                **part,
                "top": "0",
                "height": "22px",
                "width": "2px",
                "background": rx.color("gray", 12),
                "left": "0",
            },
        ),
        rx.foreach(comments, lambda c: rx.cond(~c.is_reply, marker(c))),
        id="review-scrubber",
        role="group",
        aria_label="Timeline with comment markers: click to seek",
        position="relative",
        width="100%",
        height="22px",
        cursor="pointer",
        margin_top="4px",
    )


def _speed(value: str) -> rx.Component:
    return rx.button(
        value + "×",
        size="1",
        variant="soft",
        type="button",
        class_name="speed-option",
        custom_attrs={"data-speed": value, "aria-pressed": "true" if value == "1" else "false"},
    )


def shortcut_sheet() -> rx.Component:
    """The keyboard shortcuts, in a native dialog (Esc or Close shuts it)."""
    return rx.el.dialog(
        rx.vstack(
            rx.heading("Keyboard shortcuts", size="4"),
            rx.el.table(
                rx.el.tbody(
                    *[
                        rx.el.tr(
                            rx.el.td(
                                rx.code(keys),
                                style={"paddingRight": "1rem", "whiteSpace": "nowrap"},
                            ),
                            rx.el.td(rx.text(what, size="2")),
                            style={"verticalAlign": "top"},
                        )
                        for keys, what in SHORTCUTS
                    ]
                )
            ),
            rx.button("Close", type="button", size="2", id="shortcut-close"),
            align="start",
        ),
        id="shortcut-sheet",
        aria_label="Keyboard shortcuts",
        style={
            "maxWidth": "min(560px, 92vw)",
            "margin": "auto",
            "border": "none",
            "borderRadius": "8px",
            "padding": "1rem",
            "&::backdrop": {"background": "rgba(0, 0, 0, 0.45)"},
        },
    )


def player_controls(*, loop: bool = False) -> rx.Component:
    """Speed, (with `loop`) looping the marked in/out range, and the shortcut sheet's button."""
    return rx.hstack(
        rx.script(src="/player_controls.js"),
        rx.text("Speed", size="1", color_scheme="gray"),
        *[_speed(v) for v in SPEEDS],
        rx.text("1×", size="1", id="player-speed", aria_live="polite"),
        *(
            [
                rx.button(
                    "Loop in–out",
                    size="1",
                    variant="soft",
                    type="button",
                    id="loop-range",
                    custom_attrs={"aria-pressed": "false"},
                ),
                rx.text("", size="1", color_scheme="gray", id="loop-note"),
            ]
            if loop
            else []
        ),
        rx.button("Shortcuts (?)", size="1", variant="ghost", type="button", id="shortcuts-button"),
        shortcut_sheet(),
        align="center",
        wrap="wrap",
        spacing="2",
    )
