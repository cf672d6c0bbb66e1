"""The review player: HLS through rx.video (react-player with hls.js), a HH:MM:SS:FF timecode,
±1 frame buttons and keyboard shortcuts (assets/player.js does the browser-side work, with no
`rx.call_script`: the client page's Content-Security-Policy forbids eval). Fullscreen of the
player box with its overlays: assets/fullscreen.js."""

from __future__ import annotations

import reflex as rx

SHORTCUTS = "Space play/pause · K pause · L play (again: faster) · J back 1 s · ←/→ one frame"


def player(src: rx.Var, poster: rx.Var, fps: rx.Var, *overlays: rx.Component) -> rx.Component:
    """The video with its timecode and frame controls; `fps` drives the timecode. `overlays`
    sit over the video inside the player box (e.g. `annotation_layer`)."""
    return rx.vstack(
        rx.script(src="/player.js"),
        rx.script(src="/fullscreen.js"),
        rx.box(
            rx.video(
                src=src,
                controls=True,
                width="100%",
                height="auto",
                config={"file": {"attributes": {"poster": poster}}},
                style={"aspectRatio": "16 / 9", "background": "black"},
            ),
            *overlays,
            id="player-box",
            data_fps=fps,
            width="100%",
            position="relative",
        ),
        rx.hstack(
            rx.code("00:00:00:00", id="timecode", size="4"),
            rx.button(
                "−1 frame",
                size="1",
                variant="soft",
                id="frame-back",
                custom_attrs={"data-step": "-1"},
            ),
            rx.button(
                "+1 frame",
                size="1",
                variant="soft",
                id="frame-forward",
                custom_attrs={"data-step": "1"},
            ),
            rx.text(SHORTCUTS, size="1", color_scheme="gray"),
            align="center",
            wrap="wrap",
        ),
        width="100%",
    )
