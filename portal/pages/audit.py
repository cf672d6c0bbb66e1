"""Audit log (admins): filters, keyset pages, a before/after diff per entry, CSV export."""

import reflex as rx

from portal import routes
from portal.components.forms import labelled, native_select
from portal.components.links import endpoint_button
from portal.components.text import clipped
from portal.pages.registry import page
from portal.services.compliance.view_types import ACTIONS, ENTITY_TYPES, AuditRow, DiffRow
from portal.services.core.permissions import Action
from portal.state.audit import ROLES
from portal.state.audit import AuditState as S

ACTION_COLOURS = {"insert": "green", "update": "blue", "delete": "red"}


def filter_input(name: str, label: str, value: rx.Var, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    return labelled(
        label,
        f"audit-{name}",
        rx.input(name=name, id=f"audit-{name}", default_value=value, max_length=320, **props),
    )


def filters() -> rx.Component:
    return rx.form(
        rx.hstack(
            filter_input(
                "from", "From", S.date_from, placeholder="dd/mm/yyyy", input_mode="numeric"
            ),
            filter_input("to", "To", S.date_to, placeholder="dd/mm/yyyy", input_mode="numeric"),
            labelled(
                "Entity type",
                "field-entity_type",
                native_select(
                    "entity_type", [("", "All types")] + _pairs(ENTITY_TYPES), default=S.entity_type
                ),
            ),
            labelled(
                "Action",
                "field-action",
                native_select("action", [("", "All actions")] + _pairs(ACTIONS), default=S.action),
            ),
            filter_input("entity_id", "Entity id", S.entity_id, placeholder="uuid"),
            filter_input("actor", "Actor", S.actor, placeholder="email, user id or system"),
            rx.cond(
                S.show_tenant,
                labelled(
                    "Tenant",
                    "audit-tenant",
                    rx.el.select(
                        rx.el.option("All tenants", value=""),
                        rx.foreach(
                            S.tenant_choices, lambda o: rx.el.option(o.label, value=o.value)
                        ),
                        name="tenant",
                        id="audit-tenant",
                        default_value=S.tenant,
                    ),
                ),
            ),
            rx.button("Apply", type="submit", id="audit-apply"),
            endpoint_button(
                "Export CSV", href=S.export_url, element_id="audit-export", variant="soft"
            ),
            align="end",
            wrap="wrap",
            spacing="3",
        ),
        on_submit=S.apply,
        reset_on_submit=False,
        key=S.form_key,
        width="100%",
    )


def _pairs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


def diff_row(d: DiffRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(d.field)),
        rx.table.cell(rx.text(d.before, size="1", color_scheme="red")),
        rx.table.cell(rx.text(d.after, size="1", color_scheme="green")),
    )


def diff_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(h) for h in ("Field", "Before", "After")])
        ),
        rx.table.body(rx.foreach(S.diff, diff_row)),
        size="1",
        width="100%",
        class_name="audit-diff",
    )


def entry(r: AuditRow) -> rx.Component:
    return rx.fragment(
        rx.table.row(
            rx.table.cell(r.when),
            rx.cond(S.show_tenant, rx.table.cell(clipped(r.tenant, max_width="12rem"))),
            rx.table.cell(clipped(r.actor, max_width="14rem")),
            rx.table.cell(
                rx.badge(r.action, color_scheme=rx.match(r.action, *ACTION_COLOURS.items(), "gray"))
            ),
            rx.table.cell(r.entity_type),
            rx.table.cell(
                clipped(r.summary, max_width="20rem", size="2"),
                rx.text(r.entity_id, size="1", color_scheme="gray"),
            ),
            rx.table.cell(
                rx.button(
                    rx.cond(S.expanded == r.key, "Hide", "Diff"),
                    size="1",
                    variant="soft",
                    on_click=S.toggle(r.key),
                )
            ),
            class_name="audit-row",
        ),
        rx.cond(
            S.expanded == r.key,
            rx.table.row(rx.table.cell(diff_table(), col_span=7)),
        ),
    )


def entries() -> rx.Component:
    headers = [
        rx.table.column_header_cell(h) for h in ("When", "Actor", "Action", "Type", "Entity", "")
    ]
    headers.insert(1, rx.cond(S.show_tenant, rx.table.column_header_cell("Tenant")))
    return rx.table.root(
        rx.table.header(rx.table.row(*headers)),
        rx.table.body(rx.foreach(S.rows, entry)),
        variant="surface",
        width="100%",
        id="audit-log",
    )


@page(
    route=routes.AUDIT,
    title="Audit log",
    nav="Audit log",
    roles=ROLES,
    action=Action.VIEW_AUDIT,
    on_load=S.load,
    order=80,
)
def audit() -> rx.Component:
    return rx.vstack(
        filters(),
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", id="audit-error")),
        rx.cond(
            S.rows.length() > 0,
            entries(),
            rx.callout(
                "No audit entries match these filters. Changes to projects, tasks, versions and "
                "share links are recorded here: widen the dates or clear a filter to see more.",
                icon="info",
                id="audit-empty",
            ),
        ),
        rx.hstack(
            rx.button("Newer", on_click=S.previous_page, disabled=S.page <= 1, variant="soft"),
            rx.text("Page ", S.page, size="2"),
            rx.button(
                "Older",
                on_click=S.next_page,
                disabled=~S.has_more,
                variant="soft",
                id="audit-older",
            ),
            align="center",
        ),
        width="100%",
        spacing="4",
        align="start",
    )
