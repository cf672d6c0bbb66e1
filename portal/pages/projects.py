"""Projects: search, filter, sort and page through the list; admins create, edit and archive."""

import reflex as rx

from portal import routes
from portal.components.badges import status_badge
from portal.components.forms import (
    date_input,
    dialog,
    field,
    filter_bar,
    filter_select,
    form_error,
    labelled,
    native_select,
    text_input,
)
from portal.components.text import clipped, clipped_link
from portal.pages.registry import page
from portal.services.projects.view_types import PROJECT_STATUSES, ProjectSummary
from portal.state.actions import ROLES
from portal.state.projects import ProjectsState as S

SORT_CHOICES = [
    ("newest", "Newest first"),
    ("title", "Title"),
    ("client", "Client"),
    ("end_date", "End date"),
]
STATUS_CHOICES = [("current", "All but archived"), ("all", "All statuses")] + [
    (s, s.replace("_", " ").capitalize()) for s in PROJECT_STATUSES
]


def toolbar() -> rx.Component:
    return filter_bar(
        labelled(
            "Search",
            "project-search",
            rx.input(
                placeholder="Title or client",
                default_value=S.search,
                on_blur=lambda v: S.set_filter("search", v),
                max_length=200,
                id="project-search",
                width="16rem",
            ),
        ),
        filter_select(
            "Status",
            "status-filter",
            STATUS_CHOICES,
            value=S.status,
            on_change=lambda v: S.set_filter("status", v),
        ),
        rx.cond(
            S.show_tenant,
            filter_select(
                "Tenant",
                "tenant-filter",
                [("all", "All tenants")],
                more=S.tenant_choices,
                value=S.tenant,
                on_change=lambda v: S.set_filter("tenant", v),
            ),
        ),
        filter_select(
            "Sort by",
            "sort",
            SORT_CHOICES,
            value=S.sort,
            on_change=lambda v: S.set_filter("sort", v),
        ),
        rx.cond(
            S.overdue,
            rx.button(
                "With overdue tasks ✕",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=S.set_filter("overdue", ""),
            ),
        ),
        rx.spacer(),
        rx.cond(S.can_manage, rx.button("New project", on_click=S.open_form(""), id="new-project")),
    )


def row(p: ProjectSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            clipped_link(
                p.title,
                routes.PROJECT + "?id=" + p.id,
                max_width="22rem",
                weight="medium",
                class_name="project-title",
            )
        ),
        rx.table.cell(clipped(p.client_name, max_width="12rem")),
        rx.cond(S.show_tenant, rx.table.cell(clipped(p.tenant_name, max_width="12rem"))),
        rx.table.cell(status_badge(p.status)),
        rx.table.cell(p.start_date),
        rx.table.cell(p.end_date),
        rx.table.cell(p.open_tasks),
        rx.table.cell(
            rx.cond(p.overdue_tasks > 0, rx.badge(p.overdue_tasks, color_scheme="red"), "0")
        ),
        rx.cond(
            S.can_manage,
            rx.table.cell(
                rx.hstack(
                    rx.button("Edit", size="1", variant="soft", on_click=S.open_form(p.id)),
                    rx.cond(
                        p.status != "archived",
                        rx.button(
                            "Archive",
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.archive(p.id),
                        ),
                    ),
                )
            ),
        ),
        class_name="project-row",
    )


def table() -> rx.Component:
    headers = ["Project", "Client", "Status", "Starts", "Ends", "Open tasks", "Overdue"]
    cells = [rx.table.column_header_cell(h) for h in headers]
    cells.insert(2, rx.cond(S.show_tenant, rx.table.column_header_cell("Tenant")))
    cells.append(rx.cond(S.can_manage, rx.table.column_header_cell("")))
    return rx.table.root(
        rx.table.header(rx.table.row(*cells)),
        rx.table.body(rx.foreach(S.rows, row)),
        variant="surface",
        width="100%",
        id="project-list",
    )


def project_form() -> rx.Component:
    return rx.vstack(
        form_error(S.form_error),
        rx.cond(
            S.form.id == "",
            field("Tenant", native_select("tenant_id", S.tenant_choices)),
        ),
        field("Title", text_input("title", default=S.form.title)),
        field("Client", text_input("client_name", default=S.form.client_name)),
        field(
            "Status",
            native_select(
                "status",
                [(s, s.replace("_", " ")) for s in PROJECT_STATUSES],
                default=S.form.status,
            ),
        ),
        rx.hstack(
            field("Start date", date_input("start_date", default=S.form.start_input)),
            field("End date", date_input("end_date", default=S.form.end_input)),
            width="100%",
        ),
        width="100%",
    )


@page(
    route=routes.PROJECTS, title="Projects", nav="Projects", roles=ROLES, on_load=S.load, order=10
)
def projects() -> rx.Component:
    return rx.vstack(
        toolbar(),
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", id="list-error")),
        rx.cond(
            S.rows.length() > 0,
            table(),
            rx.callout(
                rx.cond(
                    S.can_manage,
                    "No projects match the search and filters. Clear the search or choose "
                    "“All statuses” to see more, or create one with “New project”.",
                    "No projects match the search and filters. Clear the search or choose "
                    "“All statuses” to see more; projects your studio sets up appear here.",
                ),
                icon="info",
                id="no-projects",
            ),
        ),
        rx.hstack(
            rx.button("Previous", on_click=S.turn_page(-1), disabled=S.page <= 1, variant="soft"),
            rx.text("Page ", S.page, size="2"),
            rx.button("Next", on_click=S.turn_page(1), disabled=~S.has_next, variant="soft"),
            align="center",
        ),
        dialog("Project", S.form_open, S.close_form, project_form(), S.save, "save-project"),
        width="100%",
        spacing="4",
        align="start",
    )
