"""Pages reached from emails: magic-link confirmation, forgot password, reset, invitation."""

import reflex as rx

from portal import routes
from portal.components.forms import (
    auth_card,
    error_callout,
    hidden,
    labeled_input,
    native_form,
    submit,
)
from portal.pages.registry import page
from portal.state.account_links import ForgotState, InviteState, MagicState, ResetState


def back_to_sign_in() -> rx.Component:
    return rx.link("Back to sign in", href=routes.LOGIN, size="2")


def new_password_fields() -> list[rx.Component]:
    return [
        labeled_input(
            "New password (12+ characters)",
            "password",
            kind="password",
            autocomplete="new-password",
        ),
        labeled_input(
            "Repeat the new password", "confirm", kind="password", autocomplete="new-password"
        ),
    ]


@page(route=routes.MAGIC, title="Sign in with a link", roles=(), on_load=MagicState.load)
def magic() -> rx.Component:
    return auth_card(
        "Sign in",
        "Continue to the Motion Mavericks Portal.",
        error_callout(MagicState.error),
        rx.cond(
            MagicState.valid,
            native_form(
                routes.API_MAGIC,
                rx.text("Signing in as ", rx.text.strong(MagicState.email), "."),
                hidden("token", MagicState.token),
                hidden("next", MagicState.next_path),
                submit("Continue", "magic-continue"),
            ),
        ),
        back_to_sign_in(),
    )


@page(route=routes.FORGOT, title="Forgot password", roles=(), on_load=ForgotState.load)
def forgot() -> rx.Component:
    return auth_card(
        "Forgot your password?",
        "We'll email you a link to choose a new one. It works once, for 30 minutes.",
        error_callout(ForgotState.error),
        native_form(
            routes.API_FORGOT,
            labeled_input("Email", "email", kind="email", autocomplete="username"),
            submit("Email me a reset link", "send-reset"),
        ),
        back_to_sign_in(),
    )


@page(route=routes.RESET, title="Choose a new password", roles=(), on_load=ResetState.load)
def reset() -> rx.Component:
    return auth_card(
        "Choose a new password",
        "Every browser signed in to your account will be signed out.",
        error_callout(ResetState.error),
        rx.cond(
            ResetState.valid,
            native_form(
                routes.API_RESET,
                rx.text("Account: ", rx.text.strong(ResetState.email)),
                *new_password_fields(),
                hidden("token", ResetState.token),
                submit("Save the new password", "save-password"),
            ),
        ),
        back_to_sign_in(),
    )


@page(route=routes.INVITE, title="Accept your invitation", roles=(), on_load=InviteState.load)
def invite() -> rx.Component:
    return auth_card(
        "Welcome",
        "Set up your account to join your team on the portal.",
        error_callout(InviteState.error),
        rx.cond(
            InviteState.valid,
            native_form(
                routes.API_INVITE,
                rx.text(
                    "You're joining ",
                    rx.text.strong(InviteState.tenant_name),
                    " as ",
                    rx.text.strong(InviteState.email),
                    ".",
                ),
                labeled_input("Your name", "name", autocomplete="name"),
                *new_password_fields(),
                hidden("token", InviteState.token),
                hidden("next", InviteState.next_path),
                submit("Create my account", "accept-invite"),
            ),
        ),
        back_to_sign_in(),
    )
