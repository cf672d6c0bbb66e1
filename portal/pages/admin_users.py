"""Users: invite people, change roles, deactivate and reactivate, manage invitations; see and
remove guest identities (people who commented on share links)."""

import reflex as rx

from portal import routes
from portal.components.actions import confirm_button
from portal.components.forms import error_callout, labeled_input, notice_callout
from portal.components.text import clipped, not_empty
from portal.pages.registry import page
from portal.services.accounts.view_types import GuestView, UserView
from portal.services.core.permissions import Action
from portal.state.admin import UsersState
from portal.state.admin_users_guests import GuestsState

STATUS_COLOURS = {"active": "green", "invited": "blue", "deactivated": "gray"}


def actions(user: UserView) -> rx.Component:
    return rx.cond(
        user.is_me,
        rx.text("You", size="2", color_scheme="gray"),
        rx.match(
            user.status,
            (
                "invited",
                rx.hstack(
                    rx.button(
                        "Re-send", size="1", variant="soft", on_click=UsersState.resend(user.id)
                    ),
                    confirm_button(
                        "Revoke",
                        title="Revoke this invitation?",
                        description=user.email + " will no longer be able to join with the link.",
                        confirm_label="Revoke invitation",
                        on_confirm=UsersState.revoke(user.id),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        class_name="revoke-invite",
                    ),
                ),
            ),
            (
                "active",
                rx.hstack(
                    rx.button(
                        rx.cond(user.role == "admin", "Make member", "Make admin"),
                        size="1",
                        variant="soft",
                        on_click=UsersState.change_role(
                            user.id, rx.cond(user.role == "admin", "agency", "admin")
                        ),
                    ),
                    confirm_button(
                        "Deactivate",
                        title="Deactivate " + user.name + "?",
                        description="They are signed out everywhere and cannot sign in until"
                        " reactivated. Their comments and history stay.",
                        confirm_label="Deactivate",
                        on_confirm=UsersState.set_active(user.id, False),
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        class_name="deactivate",
                    ),
                ),
            ),
            rx.button(
                "Reactivate",
                size="1",
                variant="soft",
                on_click=UsersState.set_active(user.id, True),
            ),
        ),
    )


def user_row(user: UserView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                clipped(user.name, max_width="14rem", weight="medium"),
                clipped(user.email, max_width="14rem", size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(clipped(user.tenant_name, max_width="12rem")),
        rx.table.cell(user.role),
        rx.table.cell(
            rx.badge(
                user.status, color_scheme=rx.match(user.status, *STATUS_COLOURS.items(), "gray")
            )
        ),
        rx.table.cell(user.last_login),
        rx.table.cell(actions(user)),
        class_name="user-row",
    )


def guest_row(guest: GuestView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                clipped(guest.name, max_width="14rem", weight="medium"),
                clipped(guest.email, max_width="14rem", size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(clipped(guest.tenant_name, max_width="12rem")),
        rx.table.cell(guest.comments),
        rx.table.cell(
            confirm_button(
                "Remove",
                title="Remove " + guest.name + "?",
                description="Their email is free again; their comments stay, shown as Guest.",
                confirm_label="Remove guest",
                on_confirm=GuestsState.remove(guest.id),
                size="1",
                variant="soft",
                color_scheme="red",
                class_name="remove-guest",
            )
        ),
        class_name="guest-row",
    )


def guests_section() -> rx.Component:
    """Guests never sign in; inviting a guest's email turns that guest into the account."""
    return rx.vstack(
        rx.heading("Guests", size="4"),
        rx.text(
            "People who commented on share links. Inviting one of these addresses turns the "
            "guest into the invited account; removing a guest keeps their comments.",
            size="2",
            color_scheme="gray",
        ),
        error_callout(GuestsState.error, "guests-error"),
        notice_callout(GuestsState.notice, "guests-notice"),
        rx.cond(
            not_empty(GuestsState.guests),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Guest", "Tenant", "Comments", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(GuestsState.guests, guest_row)),
                width="100%",
                variant="surface",
            ),
            rx.text(
                "No guests yet. Someone who comments on a share link that allows comments "
                "appears here.",
                size="2",
                color_scheme="gray",
                id="no-guests",
            ),
        ),
        spacing="2",
        width="100%",
    )


def tenant_select(**props) -> rx.Component:
    """Controlled by state (not a form field), so a form reset cannot change it."""
    return rx.select.root(
        rx.select.trigger(placeholder="Tenant", id="invite-tenant"),
        rx.select.content(
            rx.foreach(UsersState.tenant_options, lambda t: rx.select.item(t[1], value=t[0]))
        ),
        **props,
    )


def invite_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            # At least 12rem each, so on a phone the email has a line of its own.
            rx.box(labeled_input("Email", "email", kind="email"), flex="1", min_width="12rem"),
            rx.box(labeled_input("Name (optional)", "name"), flex="1", min_width="12rem"),
            rx.vstack(
                rx.text("Tenant", size="2", weight="medium"),
                tenant_select(
                    value=UsersState.invite_tenant, on_change=UsersState.set_invite_tenant
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Role", size="2", weight="medium"),
                rx.select(["agency", "admin"], name="role", default_value="agency"),
                spacing="1",
            ),
            rx.button("Invite", type="submit", size="3", id="invite-user"),
            align="end",
            width="100%",
            wrap="wrap",
        ),
        on_submit=UsersState.invite,
        reset_on_submit=True,
        width="100%",
    )


@page(
    route=routes.ADMIN_USERS,
    title="Users",
    nav="Users",
    roles=("admin",),
    action=Action.MANAGE_USERS,
    on_load=[UsersState.load, GuestsState.load],
    order=80,
)
def users() -> rx.Component:
    return rx.vstack(
        error_callout(UsersState.error, "users-error"),
        notice_callout(UsersState.notice, "users-notice"),
        invite_form(),
        rx.hstack(
            rx.text("People in", size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(),
                rx.select.content(
                    rx.select.item("All tenants", value="all"),
                    rx.foreach(
                        UsersState.tenant_options, lambda t: rx.select.item(t[1], value=t[0])
                    ),
                ),
                value=rx.cond(UsersState.tenant_filter == "", "all", UsersState.tenant_filter),
                on_change=UsersState.filter_tenant,
            ),
            align="center",
        ),
        rx.cond(
            not_empty(UsersState.users),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Person", "Tenant", "Role", "Status", "Last sign-in", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(UsersState.users, user_row)),
                width="100%",
                variant="surface",
            ),
            rx.callout(
                "No one in this tenant yet. Invite someone with the form above, or choose "
                "“All tenants”.",
                icon="info",
                id="no-users",
            ),
        ),
        guests_section(),
        spacing="4",
        width="100%",
    )
