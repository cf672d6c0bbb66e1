"""The review player: HLS through rx.video (react-player with hls.js), a HH:MM:SS:FF timecode,
±1 frame buttons and keyboard shortcuts (assets/player.js does the browser-side work, with no
`rx.call_script`: the client page's Content-Security-Policy forbids eval). Fullscreen of the
player box with its overlays: assets/fullscreen.js."""

from __future__ import annotations

import reflex as rx

from portal.components.player_controls import player_controls, scrubber

HINT = "Press ? for the keyboard shortcuts"


def player(
    src: rx.Var,
    poster: rx.Var,
    fps: rx.Var,
    *overlays: rx.Component,
    comments: rx.Var | None = None,
    loop: bool = False,
) -> rx.Component:
    """The video with its timecode, frame and speed controls; `fps` drives the timecode.
    `overlays` sit over the video inside the player box (e.g. `annotation_layer`); `comments`
    (AssetCommentView list) puts a marker per comment on a scrubber under it; `loop` offers
    looping the marked in/out range (pages with range comments)."""
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
        *([scrubber(comments)] if comments is not None else []),
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
            rx.text(HINT, size="1", color_scheme="gray", display=["none", "none", "block"]),
            align="center",
            wrap="wrap",
        ),
        player_controls(loop=loop),
        width="100%",
    )
