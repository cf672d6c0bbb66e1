"""Compliance (studio admins): residency evidence, data retention, backups, audit chain."""

import reflex as rx

from portal import routes
from portal.components.links import endpoint_link
from portal.components.text import not_empty
from portal.pages.registry import page
from portal.services.compliance.view_types import EvidenceRow, RetentionRow
from portal.services.core.permissions import Action
from portal.state.compliance import ROLES
from portal.state.compliance import ComplianceState as S


def table(headers: list[str], body: rx.Component, table_id: str) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(body),
        variant="surface",
        width="100%",
        id=table_id,
    )


def evidence_row(e: EvidenceRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(e.tenant),
        rx.table.cell(e.generated_at),
        rx.table.cell(rx.code(e.checksum[:16] + "…", title=e.checksum)),
        rx.table.cell(
            rx.hstack(
                endpoint_link("Open", href=e.url, new_tab=True),
                endpoint_link("JSON", href=e.json_url, new_tab=True),
                rx.button("Verify", size="1", variant="soft", on_click=S.verify(e.id)),
                rx.cond(
                    S.verified_id == e.id,
                    rx.badge(
                        rx.cond(S.verified_ok, "intact", "ALTERED"),
                        color_scheme=rx.cond(S.verified_ok, "green", "red"),
                        class_name="verify-result",
                    ),
                ),
                align="center",
            )
        ),
    )


def retention_row(r: RetentionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.data),
        rx.table.cell(r.rule),
        rx.table.cell(r.next_run),
        rx.table.cell(r.next_due),
        rx.table.cell(r.last_run),
        rx.table.cell(rx.text(r.last_result, size="1")),
    )


def backups() -> rx.Component:
    """The backup sentence: red with a warning past the RPO (or with none), green within it
    (two callouts: an icon cannot follow a state var)."""

    def body() -> rx.Component:
        return rx.vstack(
            rx.text(S.backup.summary, id="backup-summary"),
            rx.text(S.backup.details, size="1"),
            spacing="1",
        )

    return rx.box(
        rx.cond(
            S.backup.stale,
            rx.callout(body(), icon="triangle_alert", color_scheme="red", width="100%"),
            rx.callout(body(), icon="circle_check", color_scheme="green", width="100%"),
        ),
        id="backup-status",
        width="100%",
    )


@page(
    route=routes.COMPLIANCE,
    title="Compliance",
    nav="Compliance",
    roles=ROLES,
    action=Action.OPERATE,
    on_load=S.load,
    order=85,
)
def compliance() -> rx.Component:
    return rx.vstack(
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red")),
        rx.cond(S.message != "", rx.callout(S.message, icon="info")),
        rx.heading("Backups", size="5"),
        backups(),
        rx.text(S.chain, size="2", id="chain-status"),
        rx.heading("Residency evidence", size="5"),
        rx.hstack(
            rx.button(
                "Generate reports now", on_click=S.generate, loading=S.generating, id="generate"
            ),
            rx.cond(S.verified_message != "", rx.text(S.verified_message, size="2")),
            align="center",
        ),
        rx.cond(
            not_empty(S.evidence),
            table(
                ["Tenant", "Generated", "SHA-256", ""],
                rx.foreach(S.evidence, evidence_row),
                "evidence",
            ),
            rx.callout(
                "No residency evidence yet: the daily job writes one report per tenant. Press "
                "“Generate reports now” to have them at once.",
                icon="info",
                id="evidence-empty",
                width="100%",
            ),
        ),
        rx.heading("Data retention", size="5"),
        table(
            ["Data", "Kept", "Next purge run", "Oldest item due", "Last run", "Last result"],
            rx.foreach(S.retention, retention_row),
            "retention",
        ),
        spacing="3",
        width="100%",
        align="start",
    )
