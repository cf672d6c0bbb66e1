"""Sign-in page: a native form posting to the auth endpoint, which sets the HttpOnly cookie."""

import reflex as rx

from portal import routes
from portal.pages.registry import page
from portal.state.login import LoginState


def field(label: str, name: str, kind: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_weight="500", font_size="0.9rem"),
        rx.input(id=name, name=name, type=kind, auto_complete=autocomplete, size="3", width="100%"),
        width="100%",
        spacing="1",
    )


@page(route=routes.LOGIN, title="Sign in", roles=(), on_load=LoginState.load)
def login() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Motion Mavericks Portal", size="6"),
                rx.text(
                    "Sign in to follow your projects and review deliverables.", color_scheme="gray"
                ),
                rx.cond(
                    LoginState.error != "",
                    rx.callout(
                        LoginState.error,
                        icon="triangle_alert",
                        color_scheme="red",
                        role="alert",
                        id="login-error",
                        width="100%",
                    ),
                ),
                rx.cond(
                    LoginState.notice != "",
                    rx.callout(LoginState.notice, icon="info", id="login-notice", width="100%"),
                ),
                rx.el.form(
                    rx.vstack(
                        field("Email", "email", "email", "username"),
                        field("Password", "password", "password", "current-password"),
                        rx.el.input(type="hidden", name="next", value=LoginState.next_path),
                        rx.button("Sign in", type="submit", size="3", width="100%", id="sign-in"),
                        spacing="4",
                        width="100%",
                    ),
                    action=routes.API_LOGIN,
                    method="post",
                    no_validate=True,
                    on_submit=None,
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            size="4",
            width="100%",
            max_width="26rem",
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
    )
