"""Dashboard: the tenant's projects, from the database through the tenant-scoped session."""

import reflex as rx

from portal import routes
from portal.pages.registry import page
from portal.services.projects import ProjectSummary
from portal.state.dashboard import ROLES, DashboardState

STATUS_COLOURS = {
    "active": "green",
    "planning": "blue",
    "on_hold": "amber",
    "completed": "gray",
    "archived": "gray",
}


def stat(label: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="7")),
        min_width="10rem",
    )


def project_row(project: ProjectSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(project.title, weight="medium")),
        rx.table.cell(project.client_name),
        rx.cond(DashboardState.show_tenant, rx.table.cell(project.tenant_name)),
        rx.table.cell(
            rx.badge(
                project.status,
                color_scheme=rx.match(project.status, *STATUS_COLOURS.items(), "gray"),
            )
        ),
        rx.table.cell(project.end_date),
        rx.table.cell(project.open_tasks),
        rx.table.cell(
            rx.cond(
                project.overdue_tasks > 0,
                rx.badge(project.overdue_tasks, color_scheme="red"),
                rx.text("0"),
            )
        ),
        class_name="project-row",
    )


def project_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell("Project"),
                rx.table.column_header_cell("Client"),
                rx.cond(DashboardState.show_tenant, rx.table.column_header_cell("Tenant")),
                rx.table.column_header_cell("Status"),
                rx.table.column_header_cell("Ends"),
                rx.table.column_header_cell("Open tasks"),
                rx.table.column_header_cell("Overdue"),
            )
        ),
        rx.table.body(rx.foreach(DashboardState.projects, project_row)),
        variant="surface",
        width="100%",
        id="projects",
    )


def empty_state() -> rx.Component:
    return rx.callout(
        "No projects yet. Projects your studio sets up for this tenant will appear here.",
        icon="info",
        id="no-projects",
    )


@page(
    route=routes.DASHBOARD,
    title="Dashboard",
    nav="Dashboard",
    roles=ROLES,
    on_load=DashboardState.load,
    order=0,
)
def dashboard() -> rx.Component:
    return rx.vstack(
        rx.cond(DashboardState.error != "", rx.callout(DashboardState.error, color_scheme="red")),
        rx.hstack(
            stat("Projects", DashboardState.projects.length()),
            stat("Active", DashboardState.active_count),
            stat("Overdue tasks", DashboardState.overdue_count),
            spacing="4",
            wrap="wrap",
        ),
        rx.heading("Projects", size="5", margin_top="1rem"),
        rx.cond(
            DashboardState.loaded & (DashboardState.projects.length() == 0),
            empty_state(),
            project_table(),
        ),
        spacing="4",
        width="100%",
        align="start",
    )
