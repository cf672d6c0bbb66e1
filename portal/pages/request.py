"""The client page of an upload request: `/r/<token>`, no sign-in, the studio's branding.

The client gives a name and email (and the passcode when one is set), then chooses files; the
page's script (assets/request_upload.js, tus-js-client) sends each over /api/tus/ with the
signed upload grant, resumable, and lists each file's progress and result."""

import reflex as rx

from portal import routes
from portal.components.deliverables import TUS_CLIENT_JS
from portal.pages.registry import page
from portal.pages.share import brand_bar, unavailable
from portal.state.upload_requests import RequestPageState as S


def _details() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Tell us who is sending the files.", color_scheme="gray"),
            rx.input(
                name="name",
                placeholder="Your name",
                id="request-sender-name",
                max_length=100,
                width="100%",
            ),
            rx.input(
                name="email",
                type="email",
                placeholder="Your email",
                id="request-sender-email",
                max_length=320,
                width="100%",
            ),
            rx.cond(
                S.needs_passcode,
                rx.input(
                    name="passcode",
                    type="password",
                    placeholder="Passcode",
                    id="request-sender-passcode",
                    auto_complete="off",
                    width="100%",
                ),
            ),
            rx.cond(
                S.error != "",
                rx.text(S.error, color_scheme="red", size="2", id="request-sender-error"),
            ),
            rx.button("Continue", type="submit", id="request-continue"),
            width="100%",
        ),
        on_submit=S.start,
        width="100%",
    )


def _uploader() -> rx.Component:
    return rx.vstack(
        rx.script(src=TUS_CLIENT_JS),
        rx.script(src="/request_upload.js"),
        rx.text("Sending as ", rx.text.strong(S.sender), ".", size="2"),
        rx.el.label(
            rx.text("Choose or drop files", size="2"),
            rx.el.input(
                type="file",
                multiple=True,
                id="request-files",
                style={"display": "block", "marginTop": "0.5rem", "maxWidth": "100%"},
            ),
            id="request-drop",
            style={
                "display": "block",
                "border": "1px dashed",
                "padding": "1rem",
                "width": "100%",
                "cursor": "pointer",
            },
        ),
        rx.button("Send files", id="request-send"),
        rx.el.div(id="request-upload", custom_attrs={"data-grant": S.grant}),
        rx.el.ul(
            id="request-results",
            style={"width": "100%", "paddingLeft": "1rem", "wordBreak": "break-word"},
        ),
        width="100%",
    )


def _request() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(S.name, size="5", id="request-title"),
            rx.cond(
                S.message != "",
                rx.text(S.message, id="request-message-text", white_space="pre-wrap"),
            ),
            rx.text("Accepted: ", S.kinds, ". ", S.limits, size="2", color_scheme="gray"),
            rx.cond(S.grant == "", _details(), _uploader()),
            width="100%",
        ),
        max_width="40rem",
        width="100%",
    )


@page(route=routes.UPLOAD_REQUEST + "/[token]", title="Send files", roles=(), on_load=S.load)
def request_page() -> rx.Component:
    return rx.vstack(
        brand_bar(S),
        rx.box(
            rx.cond(
                ~S.loaded,
                rx.spinner(size="3"),
                rx.cond(~S.available, unavailable(), _request()),
            ),
            padding="1rem",
            width="100%",
        ),
        width="100%",
        spacing="0",
        id="request-page",
    )
