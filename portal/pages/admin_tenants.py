"""Tenants (studio admins): agency tenants, residency policy and accent colour."""

import reflex as rx

from portal import routes
from portal.components.forms import error_callout, labeled_input, notice_callout
from portal.components.text import clipped
from portal.pages.registry import page
from portal.services.accounts.view_types import RESIDENCY_POLICIES, TenantView
from portal.services.core.permissions import Action
from portal.state.admin import TenantsState


def swatch(colour: rx.Var) -> rx.Component:
    return rx.box(
        width="1rem",
        height="1rem",
        border_radius="4px",
        background=colour,
        border=f"1px solid {rx.color('gray', 6)}",
    )


def tenant_row(tenant: TenantView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(swatch(tenant.accent_color), clipped(tenant.name, max_width="16rem"))
        ),
        rx.table.cell(tenant.type),
        rx.table.cell(tenant.residency_policy),
        rx.table.cell(tenant.users),
        rx.table.cell(tenant.projects),
        rx.table.cell(
            rx.badge(
                tenant.status, color_scheme=rx.cond(tenant.status == "active", "green", "gray")
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.link("Users", href=f"{routes.ADMIN_USERS}?tenant=" + tenant.id, size="2"),
                rx.button(
                    "Edit", size="1", variant="soft", on_click=TenantsState.start_edit(tenant.id)
                ),
            )
        ),
        class_name="tenant-row",
    )


def policy_select(name: str, **props) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(),
        rx.select.content(
            *[rx.select.item(label, value=key) for key, label in RESIDENCY_POLICIES.items()]
        ),
        name=name,
        **props,
    )


def create_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(labeled_input("New agency tenant", "name", placeholder="Agency name"), flex="1"),
            rx.vstack(
                rx.text("Residency", size="2", weight="medium"),
                policy_select("residency_policy", default_value="AU"),
                spacing="1",
            ),
            rx.vstack(
                rx.text("Accent", size="2", weight="medium"),
                rx.el.input(
                    type="color", name="accent_color", default_value="#3a86ff", height="2.5rem"
                ),
                spacing="1",
            ),
            rx.button("Create tenant", type="submit", size="3", id="create-tenant"),
            align="end",
            width="100%",
            wrap="wrap",
        ),
        on_submit=TenantsState.create,
        reset_on_submit=True,
        width="100%",
    )


def edit_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Edit tenant", size="4"),
            labeled_input(
                "Name",
                "edit-name",
                value=TenantsState.edit_name,
                on_change=TenantsState.set_edit_name,
            ),
            rx.hstack(
                policy_select(
                    "edit-policy",
                    value=TenantsState.edit_policy,
                    on_change=TenantsState.set_edit_policy,
                ),
                rx.el.input(
                    type="color",
                    value=TenantsState.edit_accent,
                    on_change=TenantsState.set_edit_accent,
                ),
                rx.checkbox(
                    "Active",
                    checked=TenantsState.edit_active,
                    on_change=TenantsState.set_edit_active,
                ),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text("Keep client files (days, empty = until deleted)", size="2"),
                rx.input(
                    value=TenantsState.edit_retention,
                    on_change=TenantsState.set_edit_retention,
                    id="edit-client-file-retention",
                    width="6rem",
                ),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.upload(
                    rx.text("Logo: drop a PNG or JPEG (512 KB at most) or click", size="2"),
                    id="logo-upload",
                    accept={"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]},
                    max_files=1,
                    border=f"1px dashed {rx.color('gray', 7)}",
                    padding="0.5rem",
                ),
                rx.button(
                    "Upload logo",
                    variant="soft",
                    on_click=TenantsState.upload_logo(rx.upload_files(upload_id="logo-upload")),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.button("Save", on_click=TenantsState.save_edit, id="save-tenant"),
                rx.button(
                    "Cancel", variant="soft", color_scheme="gray", on_click=TenantsState.cancel_edit
                ),
            ),
            spacing="3",
        ),
        max_width="40rem",
    )


@page(
    route=routes.ADMIN_TENANTS,
    title="Tenants",
    nav="Tenants",
    roles=("admin",),
    action=Action.MANAGE_TENANTS,
    on_load=TenantsState.load,
    order=70,
)
def tenants() -> rx.Component:
    return rx.vstack(
        error_callout(TenantsState.error, "tenants-error"),
        notice_callout(TenantsState.notice, "tenants-notice"),
        create_form(),
        rx.cond(TenantsState.edit_id != "", edit_form()),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[
                        rx.table.column_header_cell(h)
                        for h in ("Tenant", "Type", "Residency", "Users", "Projects", "Status", "")
                    ]
                )
            ),
            rx.table.body(rx.foreach(TenantsState.tenants, tenant_row)),
            width="100%",
            variant="surface",
        ),
        spacing="4",
        width="100%",
    )
