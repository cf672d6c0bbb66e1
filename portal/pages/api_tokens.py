"""/account/tokens: personal access tokens for the REST API (docs/api.md)."""

import reflex as rx

from portal import routes
from portal.components.forms import error_callout, field, native_select, notice_callout, text_input
from portal.components.links import endpoint_link
from portal.pages.registry import page
from portal.services.accounts.view_types import (
    API_ACCESS,
    API_EXPIRY_DAYS,
    API_FAMILIES,
    ApiTokenView,
)
from portal.state.api_tokens import ApiTokensState as S


def create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field("Name", text_input("name", max_length=100, placeholder="Edit suite sync")),
            *[
                field(label, native_select(f"scope_{family}", list(API_ACCESS.items())))
                for family, label in API_FAMILIES.items()
            ],
            field(
                "Expires after",
                native_select("expires_days", list(API_EXPIRY_DAYS.items()), default="90"),
            ),
            rx.button("Create token", type="submit", id="token-create"),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=S.create,
        reset_on_submit=True,
        width="100%",
    )


def new_token_notice() -> rx.Component:
    return rx.cond(
        S.new_token != "",
        rx.callout(
            rx.vstack(
                rx.text("Copy this token now: it is shown only once."),
                rx.code(S.new_token, id="token-new", word_break="break-all"),
                rx.hstack(
                    rx.button(
                        "Copy", size="1", on_click=rx.set_clipboard(S.new_token), id="token-copy"
                    ),
                    rx.button("Done", size="1", variant="soft", on_click=S.dismiss),
                ),
            ),
            color_scheme="green",
            width="100%",
        ),
    )


def token_row(item: ApiTokenView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(item.name, weight="medium"), rx.text(item.prefix + "…", size="1")),
        rx.table.cell(item.owner),
        rx.table.cell(item.scopes),
        rx.table.cell(item.last_used_at),
        rx.table.cell(
            rx.cond(
                item.status == "expired", rx.badge("Expired", color_scheme="gray"), item.expires_at
            )
        ),
        rx.table.cell(
            rx.button(
                "Revoke",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.revoke_token(item.id),
                class_name="token-revoke",
            )
        ),
        class_name="token-row",
    )


@page(route=routes.ACCOUNT_TOKENS, title="API tokens", on_load=S.load)
def api_tokens_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Personal access tokens let scripts and other tools use the portal's API "
            "as you, with only the access you give them. ",
            endpoint_link("API reference", href=f"{routes.API_V1}/docs", new_tab=True),
            size="2",
        ),
        rx.card(
            rx.vstack(
                rx.heading("New token", size="4"),
                error_callout(S.error, "token-error"),
                new_token_notice(),
                create_form(),
                spacing="3",
                width="100%",
            ),
            width="100%",
            max_width="40rem",
        ),
        notice_callout(S.notice, "token-notice"),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Token"),
                        rx.table.column_header_cell("Owner"),
                        rx.table.column_header_cell("Access"),
                        rx.table.column_header_cell("Last used"),
                        rx.table.column_header_cell("Expires"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(S.tokens, token_row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.cond(S.tokens.length() == 0, rx.text("No tokens yet.", size="2", id="tokens-empty")),
        spacing="4",
        width="100%",
    )
