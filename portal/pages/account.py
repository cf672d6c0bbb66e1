"""Account page: name, password, and the browsers signed in to this account."""

import reflex as rx

from portal import routes
from portal.components.forms import error_callout, labeled_input, notice_callout
from portal.pages.registry import page
from portal.services.accounts.view_types import SessionView
from portal.state.account import AccountState


def section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"),
        width="100%",
        max_width="40rem",
    )


def session_row(item: SessionView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(item.user_agent),
        rx.table.cell(item.created_at),
        rx.table.cell(item.last_seen_at),
        rx.table.cell(
            rx.cond(
                item.current,
                rx.badge("This browser", color_scheme="green"),
                rx.button(
                    "Sign out",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=AccountState.revoke(item.id),
                    class_name="revoke-session",
                ),
            )
        ),
        class_name="session-row",
    )


@page(
    route=routes.ACCOUNT, title="Your account", nav="Account", on_load=AccountState.load, order=90
)
def account() -> rx.Component:
    return rx.vstack(
        rx.link("API tokens for scripts and tools", href=routes.ACCOUNT_TOKENS, id="tokens-link"),
        section(
            "Profile",
            rx.form(
                rx.vstack(
                    labeled_input(
                        "Name",
                        "name",
                        value=AccountState.name_value,
                        on_change=AccountState.set_name_value,
                    ),
                    rx.button("Save", type="submit", id="save-name"),
                    spacing="3",
                    width="100%",
                    align="start",
                ),
                on_submit=AccountState.save_name,
            ),
            rx.text(AccountState.profile_message, size="2", id="profile-message"),
        ),
        section(
            "Password",
            error_callout(AccountState.password_error, "password-error"),
            notice_callout(AccountState.password_notice, "password-notice"),
            rx.form(
                rx.vstack(
                    labeled_input(
                        "Current password",
                        "current",
                        kind="password",
                        autocomplete="current-password",
                    ),
                    labeled_input(
                        "New password (12+ characters)",
                        "new",
                        kind="password",
                        autocomplete="new-password",
                    ),
                    labeled_input(
                        "Repeat the new password",
                        "confirm",
                        kind="password",
                        autocomplete="new-password",
                    ),
                    rx.button("Change password", type="submit", id="change-password"),
                    spacing="3",
                    width="100%",
                    align="start",
                ),
                on_submit=AccountState.change_password,
                reset_on_submit=True,
            ),
        ),
        section(
            "Signed-in browsers",
            error_callout(AccountState.sessions_error, "sessions-error"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Browser"),
                        rx.table.column_header_cell("Signed in"),
                        rx.table.column_header_cell("Last active"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(AccountState.sessions, session_row)),
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )
