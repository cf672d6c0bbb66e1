"""The signed-in app layout: sidebar navigation, tenant and user, sign-out."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.bell import bell
from portal.state.session import NavItem, SessionState


def nav_link(item: NavItem) -> rx.Component:
    return rx.link(
        rx.text(item.label, size="3", weight="medium"),
        id="nav-" + item.href.replace("/", "-"),
        href=item.href,
        underline="none",
        padding_x="0.75rem",
        padding_y="0.5rem",
        border_radius="0.5rem",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
    )


def sign_out_form() -> rx.Component:
    """A native POST form: the endpoint revokes the session and clears the HttpOnly cookie."""
    return rx.el.form(
        rx.button(
            "Sign out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            width="100%",
            id="sign-out",
        ),
        action=routes.API_LOGOUT,
        method="post",
        on_submit=None,
        width="100%",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.image(
                src=rx.cond(SessionState.logo_url != "", SessionState.logo_url, "/logo.svg"),
                width="28px",
                height="28px",
                alt="",
                object_fit="contain",
            ),
            rx.heading("Motion Mavericks", size="4"),
            bell(),
            align="center",
        ),
        rx.hstack(
            rx.box(
                width="0.6rem",
                height="0.6rem",
                border_radius="50%",
                background=SessionState.accent_color,
            ),
            rx.text(SessionState.tenant_name, size="2", color_scheme="gray", id="tenant-name"),
            align="center",
        ),
        rx.divider(),
        rx.vstack(rx.foreach(SessionState.nav_items, nav_link), width="100%", spacing="1"),
        rx.spacer(),
        rx.vstack(
            rx.text(SessionState.user_name, size="2", weight="bold", id="user-name"),
            rx.text(SessionState.user_email, size="1", color_scheme="gray"),
            rx.badge(SessionState.role, variant="soft"),
            sign_out_form(),
            width="100%",
            spacing="2",
        ),
        width="16rem",
        min_height="100vh",
        padding="1.25rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        border_top="4px solid",
        border_top_color=SessionState.accent_color,
        background=rx.color("gray", 2),
        align="start",
    )


def app_layout(content: rx.Component, *, title: str) -> rx.Component:
    """Sidebar + page title + content; shown once the session check has filled the user."""
    return rx.hstack(
        sidebar(),
        rx.box(
            rx.heading(title, size="7", margin_bottom="1rem"),
            rx.cond(SessionState.role != "", content, rx.spinner(size="3")),
            flex="1",
            padding="2rem",
            overflow_x="auto",
        ),
        spacing="0",
        width="100%",
        align="start",
    )
