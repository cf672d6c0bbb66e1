"""Sign-in page: password form and magic-link request, both native POSTs to /api/auth."""

import reflex as rx

from portal import routes
from portal.components.forms import (
    auth_card,
    error_callout,
    hidden,
    labeled_input,
    native_form,
    notice_callout,
    submit,
)
from portal.pages.registry import page
from portal.state.login import LoginState


@page(route=routes.LOGIN, title="Sign in", roles=(), on_load=LoginState.load)
def login() -> rx.Component:
    return auth_card(
        "Motion Mavericks Portal",
        "Sign in to follow your projects and review deliverables.",
        error_callout(LoginState.error, "login-error"),
        notice_callout(LoginState.notice, "login-notice"),
        # assets/sign_in_email.js keeps the address typed here across a wrong password.
        rx.script(src="/sign_in_email.js"),
        native_form(
            routes.API_LOGIN,
            labeled_input("Email", "email", kind="email", autocomplete="username"),
            labeled_input("Password", "password", kind="password", autocomplete="current-password"),
            hidden("next", LoginState.next_path),
            submit("Sign in", "sign-in"),
            id="sign-in-form",
        ),
        rx.link("Forgot your password?", href=routes.FORGOT, size="2", id="forgot-link"),
        rx.divider(),
        rx.text("Or get a one-time sign-in link by email:", size="2", color_scheme="gray"),
        native_form(
            routes.API_MAGIC_REQUEST,
            labeled_input(
                "Email for a sign-in link",
                "email",
                kind="email",
                autocomplete="username",
                element_id="magic-email",
            ),
            hidden("next", LoginState.next_path),
            rx.button(
                "Email me a link",
                type="submit",
                variant="soft",
                size="3",
                width="100%",
                id="send-magic",
            ),
        ),
    )
