"""Operations (studio admins): job runs and webhook events, filters, redacted payloads, replay."""

import reflex as rx

from portal import routes
from portal.pages.registry import page
from portal.services.core.permissions import Action
from portal.services.operations.view_types import JobRunRow, WebhookEventRow
from portal.state.operations import ALL, ROLES, OperationsState

RESULT_COLOURS = {"succeeded": "green", "failed": "red", "running": "blue", "skipped": "gray"}
STATUS_COLOURS = {
    "processed": "green",
    "received": "blue",
    "failed": "amber",
    "dead": "red",
    "ignored": "gray",
}
JOBS = [
    ALL,
    "process_webhook_event",
    "webhook_retry_sweep",
    "expire_share_links",
    "stuck_assets_sweep",
    "retention_purge",
    "audit_partitions",
    "backup_verification",
    "residency_evidence",
]


def picker(name: str, value: rx.Var, options: list[str]) -> rx.Component:
    return rx.select(
        options, value=value, on_change=lambda v: OperationsState.set_filter(name, v), size="1"
    )


def badge(value: rx.Var, colours: dict[str, str]) -> rx.Component:
    return rx.badge(value, color_scheme=rx.match(value, *colours.items(), "gray"))


def run_row(run: JobRunRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(run.job_name),
        rx.table.cell(run.started_at),
        rx.table.cell(run.seconds),
        rx.table.cell(badge(run.result, RESULT_COLOURS)),
        rx.table.cell(rx.text(run.details, size="1")),
    )


def event_row(event: WebhookEventRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event.source),
        rx.table.cell(event.event_type),
        rx.table.cell(badge(event.status, STATUS_COLOURS)),
        rx.table.cell(event.retry_count),
        rx.table.cell(event.received_at),
        rx.table.cell(rx.text(event.last_error, size="1")),
        rx.table.cell(
            rx.hstack(
                rx.button("Payload", size="1", on_click=OperationsState.show_payload(event.id)),
                rx.cond(
                    event.replayable,
                    rx.button(
                        "Replay",
                        size="1",
                        color_scheme="amber",
                        on_click=OperationsState.replay(event.id),
                    ),
                ),
            )
        ),
    )


def table(headers: list[str], rows: rx.Component, table_id: str) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rows),
        variant="surface",
        width="100%",
        id=table_id,
    )


@page(
    route=routes.OPERATIONS,
    title="Operations",
    nav="Operations",
    roles=ROLES,
    action=Action.OPERATE,
    on_load=OperationsState.load,
    order=90,
)
def operations() -> rx.Component:
    s = OperationsState
    return rx.vstack(
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red")),
        rx.cond(s.message != "", rx.callout(s.message, icon="info")),
        rx.heading("Webhook events", size="5"),
        rx.hstack(
            picker("source", s.source_filter, [ALL, "mux", "resend"]),
            picker("status", s.status_filter, [ALL, *STATUS_COLOURS]),
        ),
        table(
            ["Source", "Type", "Status", "Retries", "Received", "Last error", ""],
            rx.foreach(s.events, event_row),
            "webhook-events",
        ),
        rx.cond(s.payload != "", rx.code_block(s.payload, language="json", width="100%")),
        rx.heading("Job runs", size="5", margin_top="1rem"),
        rx.hstack(
            picker("job", s.job_filter, JOBS),
            picker("result", s.result_filter, [ALL, *RESULT_COLOURS]),
        ),
        table(
            ["Job", "Started", "Seconds", "Result", "Details"],
            rx.foreach(s.job_runs, run_row),
            "job-runs",
        ),
        spacing="3",
        width="100%",
        align="start",
    )
