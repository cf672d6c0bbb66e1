"""Dashboard: project counts, overdue tasks, milestones due soon and charts for the user's scope."""

import reflex as rx

from portal import routes
from portal.components.badges import status_badge
from portal.components.charts import milestone_progress_chart, tasks_by_project_chart
from portal.components.forms import filter_bar, filter_select, labelled
from portal.components.text import clipped, clipped_link
from portal.pages.registry import page
from portal.services.projects.view_types import (
    PROJECT_STATUSES,
    DueMilestone,
    ProjectSummary,
    TaskView,
)
from portal.state.dashboard import ROLES, DashboardState, StatCard


def stat(card: StatCard) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.text(card.label, size="2", color_scheme="gray"),
                rx.heading(card.value, size="7", class_name="stat-value"),
            ),
            min_width="9rem",
        ),
        href=card.href,
        underline="none",
        id="stat-" + card.key,
    )


def filters() -> rx.Component:
    """Tenant, status and client filters (admins only: agency users see one tenant)."""
    return rx.cond(
        DashboardState.show_tenant,
        filter_bar(
            filter_select(
                "Tenant",
                "dashboard-tenant",
                [("all", "All tenants")],
                more=DashboardState.tenant_choices,
                value=DashboardState.filter_tenant,
                on_change=lambda v: DashboardState.set_filter("tenant", v),
            ),
            filter_select(
                "Project status",
                "dashboard-status",
                [("all", "All statuses")]
                + [(s, s.replace("_", " ").capitalize()) for s in PROJECT_STATUSES],
                value=DashboardState.filter_status,
                on_change=lambda v: DashboardState.set_filter("status", v),
            ),
            labelled(
                "Client",
                "dashboard-client",
                rx.input(
                    placeholder="Any client",
                    default_value=DashboardState.filter_client,
                    on_blur=lambda v: DashboardState.set_filter("client", v),
                    max_length=200,
                    id="dashboard-client",
                ),
            ),
        ),
    )


def overdue_row(task: TaskView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(clipped_link(task.title, routes.PROJECT + "?id=" + task.project_id)),
        rx.table.cell(clipped(task.project_title, max_width="14rem")),
        rx.table.cell(task.assignee_name),
        rx.table.cell(rx.text(task.due_date, color_scheme="red")),
        class_name="overdue-row",
    )


def due_row(m: DueMilestone) -> rx.Component:
    return rx.table.row(
        rx.table.cell(clipped_link(m.title, routes.PROJECT + "?id=" + m.project_id)),
        rx.table.cell(clipped(m.project_title, max_width="14rem")),
        rx.table.cell(m.due_date),
        rx.table.cell(status_badge(m.status)),
        class_name="due-row",
    )


def small_table(headers: list[str], rows: rx.Var, render, empty: str, id: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            variant="surface",
            width="100%",
            id=id,
        ),
        rx.text(empty, color_scheme="gray", size="2"),
    )


def project_row(project: ProjectSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            clipped_link(
                project.title,
                routes.PROJECT + "?id=" + project.id,
                max_width="22rem",
                weight="medium",
            )
        ),
        rx.table.cell(clipped(project.client_name, max_width="12rem")),
        rx.cond(
            DashboardState.show_tenant,
            rx.table.cell(clipped(project.tenant_name, max_width="12rem")),
        ),
        rx.table.cell(status_badge(project.status)),
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
    headers = ["Project", "Client", "Status", "Ends", "Open tasks", "Overdue"]
    cells = [rx.table.column_header_cell(h) for h in headers]
    cells.insert(2, rx.cond(DashboardState.show_tenant, rx.table.column_header_cell("Tenant")))
    return rx.table.root(
        rx.table.header(rx.table.row(*cells)),
        rx.table.body(rx.foreach(DashboardState.projects, project_row)),
        variant="surface",
        width="100%",
        id="projects",
    )


def empty_state() -> rx.Component:
    filtered = (
        (DashboardState.filter_tenant != "all")
        | (DashboardState.filter_status != "all")
        | (DashboardState.filter_client != "")
    )
    return rx.callout(
        rx.cond(
            filtered,
            "No projects match these filters. Choose “All tenants” and “All statuses” and "
            "clear the client to see every project.",
            rx.cond(
                DashboardState.role == "admin",
                "No projects yet. Create the first one on the Projects page, then add "
                "milestones and tasks.",
                "No projects yet. Projects your studio sets up for this tenant will appear here.",
            ),
        ),
        icon="info",
        id="no-projects",
    )


def section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, width="100%"), width="100%")


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
        filters(),
        rx.hstack(rx.foreach(DashboardState.cards, stat), spacing="4", wrap="wrap"),
        rx.cond(
            DashboardState.loaded & (DashboardState.projects.length() == 0),
            empty_state(),
            rx.vstack(
                rx.grid(
                    section(
                        "Tasks by status", tasks_by_project_chart(DashboardState.tasks_by_project)
                    ),
                    section(
                        "Milestone progress by month due",
                        milestone_progress_chart(DashboardState.milestone_progress),
                    ),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                section(
                    "Overdue tasks",
                    small_table(
                        ["Task", "Project", "Assignee", "Due"],
                        DashboardState.overdue_tasks,
                        overdue_row,
                        "Nothing overdue.",
                        "overdue-tasks",
                    ),
                ),
                section(
                    "Milestones due in the next 14 days",
                    small_table(
                        ["Milestone", "Project", "Due", "Status"],
                        DashboardState.due_soon,
                        due_row,
                        "No milestones due in the next two weeks.",
                        "due-soon",
                    ),
                ),
                rx.heading("Recent projects", size="5", margin_top="1rem"),
                project_table(),
                width="100%",
                spacing="4",
            ),
        ),
        spacing="4",
        width="100%",
        align="start",
    )
