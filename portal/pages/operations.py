"""Operations (studio admins): job runs and webhook events, filters, redacted payloads, replay."""

import reflex as rx

from portal import routes
from portal.components.forms import filter_bar, filter_select
from portal.components.text import not_empty
from portal.pages.registry import page
from portal.services.core.permissions import Action
from portal.services.operations.view_types import JobRunRow, WebhookEventRow
from portal.settings import get_settings
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
    "process_webhook_event",
    "webhook_retry_sweep",
    "expire_share_links",
    "stuck_assets_sweep",
    "tus_uploads_sweep",
    "retention_purge",
    "audit_partitions",
    "backup_verification",
    "residency_evidence",
]


def picker(name: str, label: str, value: rx.Var, everything: str, options: list[str]):  # type: ignore[no-untyped-def]
    """A labelled filter whose first choice says what "all" shows ("All sources")."""
    return filter_select(
        label,
        f"ops-{name}",
        [(ALL, everything), *[(o, o.replace("_", " ")) for o in options]],
        value=value,
        on_change=lambda v: OperationsState.set_filter(name, v),
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


def table(headers: list[str], rows: rx.Var, row, table_id: str, empty: rx.Var) -> rx.Component:  # type: ignore[no-untyped-def]
    """The rows, or (none) why there are none and what to do."""
    return rx.box(
        rx.cond(
            not_empty(rows),
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(rows, row)),
                variant="surface",
                width="100%",
            ),
            rx.callout(empty, icon="info", class_name="empty-table", width="100%"),
        ),
        id=table_id,
        width="100%",
    )


def dev_mailbox_link() -> rx.Component:
    """In development only (where the page exists): the way to the dev mailbox."""
    if get_settings().portal_env != "dev":
        return rx.fragment()
    return rx.text(
        "Development: emails the portal sends without Resend are kept in the ",
        rx.link("dev mailbox", href=routes.MAILBOX, id="dev-mailbox-link"),
        ".",
        size="2",
        color_scheme="gray",
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
        dev_mailbox_link(),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red")),
        rx.cond(s.message != "", rx.callout(s.message, icon="info")),
        rx.heading("Webhook events", size="5"),
        filter_bar(
            picker("source", "Source", s.source_filter, "All sources", ["mux", "resend"]),
            picker("status", "Status", s.status_filter, "All statuses", [*STATUS_COLOURS]),
        ),
        table(
            ["Source", "Type", "Status", "Retries", "Received", "Last error", ""],
            s.events,
            event_row,
            "webhook-events",
            rx.cond(
                (s.source_filter == ALL) & (s.status_filter == ALL),
                "No webhook events yet: Mux and Resend post here when a video or an email "
                "changes state.",
                "No webhook events match these filters: choose “All sources” and “All "
                "statuses” to see every one.",
            ),
        ),
        rx.cond(s.payload != "", rx.code_block(s.payload, language="json", width="100%")),
        rx.heading("Job runs", size="5", margin_top="1rem"),
        filter_bar(
            picker("job", "Job", s.job_filter, "All jobs", JOBS),
            picker("result", "Result", s.result_filter, "All results", [*RESULT_COLOURS]),
        ),
        table(
            ["Job", "Started", "Seconds", "Result", "Details"],
            s.job_runs,
            run_row,
            "job-runs",
            rx.cond(
                (s.job_filter == ALL) & (s.result_filter == ALL),
                "No job runs yet: jobs run on their schedule while the app (or `portal worker`) "
                "is running.",
                "No job runs match these filters: choose “All jobs” and “All results” to see "
                "every run.",
            ),
        ),
        spacing="3",
        width="100%",
        align="start",
    )
