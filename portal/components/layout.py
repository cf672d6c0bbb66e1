"""The signed-in app layout: navigation, tenant and user, sign-out.

From 48em (768 px) up the navigation is a sidebar. Below, it is a top bar (menu button, logo,
bell) whose menu button opens the same navigation as a sheet from the left, and the page gets
the whole width. The bell exists once (the bar is the sidebar's head), so its live updates start
once and its id stays unique.
"""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.components.bell import bell
from portal.state.session import NavItem, SessionState

# Responsive values are [phone, from 30em, from 48em]: the sidebar comes at 48em.
ON_PHONE = ["flex", "flex", "none"]
ON_DESKTOP = ["none", "none", "flex"]

# Styles for every instance of a component (rx.App(style=APP_STYLE)). On a phone a table keeps
# each row to one line and scrolls sideways inside its own box, rather than squeezing its
# columns until dates and names break word by word.
_ONE_LINE_ON_PHONE = {"white_space": ["nowrap", "nowrap", "normal"]}
APP_STYLE = {
    rx.table.cell: _ONE_LINE_ON_PHONE,
    rx.table.column_header_cell: _ONE_LINE_ON_PHONE,
    rx.table.row_header_cell: _ONE_LINE_ON_PHONE,
}


def nav_link(item: NavItem, prefix: str = "nav") -> rx.Component:
    return rx.link(
        rx.text(item.label, size="3", weight="medium"),
        id=prefix + "-" + item.href.replace("/", "-"),
        href=item.href,
        underline="none",
        padding_x="0.75rem",
        padding_y="0.5rem",
        border_radius="0.5rem",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
    )


def sign_out_form(element_id: str = "sign-out") -> rx.Component:
    """A native POST form: the endpoint revokes the session and clears the HttpOnly cookie."""
    return rx.el.form(
        rx.button(
            "Sign out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            width="100%",
            id=element_id,
        ),
        action=routes.API_LOGOUT,
        method="post",
        on_submit=None,
        width="100%",
    )


def logo() -> rx.Component:
    return rx.image(
        src=rx.cond(SessionState.logo_url != "", SessionState.logo_url, "/logo.svg"),
        width="28px",
        height="28px",
        alt="",
        object_fit="contain",
    )


def brand() -> rx.Component:
    return rx.hstack(
        logo(),
        # One line in the phone's bar; two in the sidebar, leaving room for the bell.
        rx.heading("Motion Mavericks", size="4", white_space=["nowrap", "nowrap", "normal"]),
        align="center",
    )


def accent_dot() -> rx.Component:
    return rx.box(
        width="0.6rem",
        height="0.6rem",
        border_radius="50%",
        background=SessionState.accent_color,
        flex_shrink="0",
    )


def tenant_line(element_id: str) -> rx.Component:
    return rx.hstack(
        accent_dot(),
        rx.text(SessionState.tenant_name, size="2", color_scheme="gray", id=element_id),
        align="center",
    )


def account_block(element_id: str, sign_out_id: str) -> rx.Component:
    """Who is signed in, and the sign-out button."""
    return rx.vstack(
        rx.text(SessionState.user_name, size="2", weight="bold", id=element_id),
        rx.text(SessionState.user_email, size="1", color_scheme="gray", word_break="break-all"),
        rx.badge(SessionState.role, variant="soft"),
        sign_out_form(sign_out_id),
        width="100%",
        spacing="2",
    )


def menu_sheet() -> rx.Component:
    """The phone's menu button and the navigation it opens, as a sheet from the left (a dialog:
    focus stays inside, Escape or a tap outside closes it, and so does choosing a page)."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.icon_button(
                rx.icon("menu", size=20),
                variant="ghost",
                color_scheme="gray",
                size="3",
                aria_label="Open the navigation",
                id="nav-menu",
            ),
        ),
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    logo(),
                    rx.dialog.title("Motion Mavericks", size="4", margin="0"),
                    rx.spacer(),
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=18),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Close the navigation",
                            id="nav-close",
                        )
                    ),
                    align="center",
                    width="100%",
                ),
                rx.hstack(
                    accent_dot(),
                    rx.dialog.description(
                        SessionState.tenant_name, size="2", color_scheme="gray", id="menu-tenant"
                    ),
                    align="center",
                ),
                rx.divider(),
                rx.vstack(
                    rx.foreach(
                        SessionState.nav_items,
                        lambda item: rx.dialog.close(nav_link(item, "menu-nav")),
                    ),
                    width="100%",
                    spacing="1",
                ),
                rx.spacer(),
                account_block("menu-user-name", "menu-sign-out"),
                height="100%",
                width="100%",
                align="start",
            ),
            id="nav-sheet",
            # A sheet along the left edge rather than a centred dialog.
            position="fixed",
            top="0",
            left="0",
            height="100dvh",
            max_height="100dvh",
            width="min(18rem, 85vw)",
            max_width="none",
            margin="0",
            border_radius="0",
            border_top="4px solid",
            border_top_color=SessionState.accent_color,
        ),
    )


def sidebar() -> rx.Component:
    """The sidebar from 48em up; below, its head alone is the top bar (menu, logo, bell)."""
    return rx.vstack(
        rx.hstack(
            rx.box(menu_sheet(), display=ON_PHONE),
            brand(),
            rx.spacer(display=ON_PHONE),
            bell(),
            align="center",
            width="100%",
        ),
        rx.vstack(
            tenant_line("tenant-name"),
            rx.divider(),
            rx.vstack(
                rx.foreach(SessionState.nav_items, lambda item: nav_link(item, "nav")),
                width="100%",
                spacing="1",
            ),
            rx.spacer(),
            account_block("user-name", "sign-out"),
            display=ON_DESKTOP,
            flex="1",
            width="100%",
        ),
        id="app-nav",
        width=["100%", "100%", "16rem"],
        height=["auto", "auto", "100vh"],
        position="sticky",
        top="0",
        z_index="10",
        flex_shrink="0",
        overflow_y=["visible", "visible", "auto"],
        padding=["0.5rem 1rem", "0.5rem 1rem", "1.25rem"],
        border_right=["none", "none", f"1px solid {rx.color('gray', 5)}"],
        border_bottom=[
            f"1px solid {rx.color('gray', 5)}",
            f"1px solid {rx.color('gray', 5)}",
            "none",
        ],
        border_top="4px solid",
        border_top_color=SessionState.accent_color,
        background=rx.color("gray", 2),
        align="start",
    )


def app_layout(content: rx.Component, *, title: str | rx.Var) -> rx.Component:
    """Navigation + page title + content; the content shows once the session check has filled
    the user. The page never scrolls sideways: what is wider (a table) scrolls in its own box."""
    return rx.flex(
        sidebar(),
        rx.box(
            rx.heading(
                title,
                size=rx.breakpoints(initial="6", sm="7"),
                margin_bottom="1rem",
                # Wraps between words; a word longer than the line breaks rather than overflow.
                overflow_wrap="anywhere",
                id="page-heading",
            ),
            rx.cond(SessionState.role != "", content, rx.spinner(size="3", id="app-loading")),
            flex="1",
            min_width="0",
            padding=["1rem", "1rem", "2rem"],
            overflow_x="auto",
            id="main",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
        min_height="100vh",
    )
