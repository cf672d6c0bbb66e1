"""Compare two versions of a deliverable: side by side or as a wipe, in step."""

import reflex as rx

from portal import routes
from portal.components.compare import mode_bar, pane, stage, transport
from portal.pages.registry import page
from portal.state.actions import ROLES
from portal.state.compare import CompareState as S


def compare_view() -> rx.Component:
    return rx.vstack(
        rx.script(src="/compare.js"),
        mode_bar(S.mode, S.set_mode, S.left.id, S.right.id, S.versions, S.choose),
        stage(
            S.mode,
            pane("a", S.left_src, S.left_poster, S.left.label, S.left.frame_rate),
            pane("b", S.right_src, S.right_poster, S.right.label, S.right.frame_rate),
        ),
        transport(),
        width="100%",
        spacing="3",
    )


@page(
    route=routes.COMPARE,
    title="Compare versions",
    roles=ROLES,
    on_load=S.load,
    heading=S.title,
)
def compare() -> rx.Component:
    return rx.vstack(
        rx.link("← Back to the review", href=S.back_href, size="2", id="compare-back-link"),
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", id="compare-error")),
        rx.cond(S.ready, compare_view()),
        width="100%",
        spacing="3",
        align="start",
    )
