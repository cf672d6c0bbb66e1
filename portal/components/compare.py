"""Two versions of a deliverable: side by side (stacked on a phone) or as a wipe (one frame,
split by a draggable handle). One set of controls drives both players; assets/compare.js keeps
them in step (play, pause, seek, frame steps) and moves the wipe."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal import routes

_OVERLAY = {
    "position": "absolute",
    "top": "6px",
    "display": "flex",
    "gap": "6px",
    "alignItems": "center",
    "padding": "2px 6px",
    "borderRadius": "4px",
    "background": "rgba(0, 0, 0, 0.6)",
    "color": "white",
    "fontSize": "12px",
    "pointerEvents": "none",
    "zIndex": "2",
}


def pane(side: str, src: rx.Var, poster: rx.Var, label: rx.Var, fps: rx.Var) -> rx.Component:
    """One version's video with its label and timecode over it (left: a, right: b)."""
    return rx.box(
        rx.video(
            src=src,
            controls=False,
            # Sound comes from the left (lead) player only.
            muted=side == "b",
            width="100%",
            height="auto",
            config={"file": {"attributes": {"poster": poster, "playsInline": True}}},
            style={"aspectRatio": "16 / 9", "background": "black", "display": "block"},
        ),
        rx.el.div(
            rx.el.strong(label),
            rx.el.span("00:00:00:00", id="timecode-" + side, class_name="compare-timecode"),
            style={**_OVERLAY, **({"left": "6px"} if side == "a" else {"right": "6px"})},
        ),
        class_name="compare-pane compare-pane-" + side,
        custom_attrs={"data-fps": fps, "data-side": side},
        position="relative",
        flex="1 1 320px",
        min_width="0",
    )


def wipe_handle() -> rx.Component:
    """The split of the wipe: drag it (mouse, touch or pen), or focus it and use ←/→."""
    return rx.el.div(
        rx.el.div(
            style={
                "position": "absolute",
                "left": "50%",
                "top": "50%",
                "width": "28px",
                "height": "28px",
                "marginLeft": "-14px",
                "marginTop": "-14px",
                "borderRadius": "50%",
                "background": "white",
                "boxShadow": "0 0 4px rgba(0,0,0,0.6)",
            }
        ),
        id="wipe-handle",
        role="slider",
        tab_index=0,
        aria_label="Wipe: drag to move the split",
        custom_attrs={"aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "50"},
        style={
            "display": "none",
            "position": "absolute",
            "top": "0",
            "bottom": "0",
            "left": "var(--wipe)",
            "width": "32px",
            "marginLeft": "-16px",
            "cursor": "ew-resize",
            "touchAction": "none",
            "zIndex": "3",
            "background": "linear-gradient(to right, transparent 15px, white 15px, white 17px,"
            " transparent 17px)",
        },
    )


def stage(mode: rx.Var, a: rx.Component, b: rx.Component) -> rx.Component:
    """Both panes: a row that wraps (a column on a phone), or in wipe mode one frame with the
    right version over the left, clipped at the split."""
    return rx.box(
        a,
        b,
        wipe_handle(),
        id="compare-stage",
        custom_attrs={"data-mode": mode},
        style={
            "--wipe": "50%",
            "position": "relative",
            "display": "flex",
            "flexWrap": "wrap",
            "gap": "8px",
            "width": "100%",
            "userSelect": "none",
            "&[data-mode=wipe]": {"display": "block"},
            "&[data-mode=wipe] .compare-pane-b": {
                "position": "absolute",
                "inset": "0",
                "clipPath": "inset(0 0 0 var(--wipe))",
            },
            "&[data-mode=wipe] #wipe-handle": {"display": "block"},
        },
    )


def transport() -> rx.Component:
    """One set of controls for both players."""
    return rx.hstack(
        rx.button("Play", size="2", type="button", id="compare-play", min_width="5rem"),
        rx.button("−1 frame", size="1", variant="soft", type="button", id="compare-back"),
        rx.button("+1 frame", size="1", variant="soft", type="button", id="compare-forward"),
        rx.el.input(
            type="range",
            min="0",
            max="1000",
            step="1",
            default_value="0",
            id="compare-seek",
            aria_label="Position in both versions",
            style={"flex": "1 1 160px", "minWidth": "120px"},
        ),
        rx.text(
            "Space play/pause · ←/→ one frame · sound from the left version",
            size="1",
            color_scheme="gray",
        ),
        align="center",
        wrap="wrap",
        width="100%",
    )


def _mode_button(mode: rx.Var, value: str, label: str, on_mode: Any) -> rx.Component:
    return rx.button(
        label,
        size="1",
        type="button",
        variant=rx.cond(mode == value, "solid", "soft"),
        on_click=on_mode(value),
        id="compare-mode-" + value,
        custom_attrs={"aria-pressed": rx.cond(mode == value, "true", "false")},
    )


def version_picker(
    side: str, label: str, value: rx.Var, versions: rx.Var, on_choose: Any
) -> rx.Component:
    """Which version shows on one side (ready versions of the deliverable)."""
    return rx.el.label(
        rx.text(label, size="1", color_scheme="gray"),
        rx.el.select(
            rx.foreach(
                versions,
                lambda v: rx.cond(v.status == "ready", rx.el.option(v.label, value=v.id)),
            ),
            value=value,
            on_change=lambda v: on_choose(side, v),
            id="compare-pick-" + side,
        ),
        style={"display": "flex", "gap": "0.4rem", "alignItems": "center"},
    )


def mode_bar(
    mode: rx.Var, on_mode: Any, left: rx.Var, right: rx.Var, versions: rx.Var, on_choose: Any
) -> rx.Component:
    return rx.hstack(
        _mode_button(mode, "side", "Side by side", on_mode),
        _mode_button(mode, "wipe", "Wipe", on_mode),
        version_picker("a", "Left", left, versions, on_choose),
        version_picker("b", "Right", right, versions, on_choose),
        align="center",
        wrap="wrap",
        spacing="3",
    )


def compare_links(asset_id: rx.Var, compare_id: rx.Var) -> rx.Component:
    """From the review page: the chosen other version (left) and this one (right) on the
    compare page, side by side or as a wipe (ids are UUIDs: nothing to escape)."""
    base = f"{routes.COMPARE}?a={compare_id}&b={asset_id}&mode="
    return rx.hstack(
        rx.link("Side by side", href=base + "side", id="open-compare-side", size="2"),
        rx.link("Wipe", href=base + "wipe", id="open-compare-wipe", size="2"),
        align="center",
    )


def earlier_toggles(versions: rx.Var, shown: Any, on_toggle: Any) -> rx.Component:
    """One switch per earlier version: show its comments in this version's list."""
    return rx.hstack(
        rx.foreach(
            versions,
            lambda v: rx.checkbox(
                "Show " + v.label + " comments",
                checked=shown.contains(v.id),
                on_change=lambda checked: on_toggle(v.id, checked),
                size="1",
                class_name="show-earlier",
                custom_attrs={"data-version": v.label},
            ),
        ),
        wrap="wrap",
        spacing="3",
    )
