"""Dashboard state: counts, overdue tasks, milestones due soon and charts for the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal import routes
from portal.services.projects.dashboard import DashboardFilters, DueMilestone, load_dashboard
from portal.services.projects.projects import ProjectSummary, list_projects, tenant_options
from portal.services.projects.task_lists import TaskView
from portal.state.actions import ROLES, Option, options
from portal.state.session import SessionState, guard

__all__ = ["ROLES", "DashboardState"]
RECENT = 10


@dataclass(frozen=True)
class StatCard:
    """A count on the dashboard, linking to the list it summarises."""

    key: str
    label: str
    value: int
    href: str


class DashboardState(SessionState):
    """What the dashboard shows; admins may narrow it by tenant, status and client."""

    cards: list[StatCard] = []
    projects: list[ProjectSummary] = []
    overdue_tasks: list[TaskView] = []
    due_soon: list[DueMilestone] = []
    tasks_by_project: list[dict[str, str | int]] = []
    milestone_progress: list[dict[str, str | int]] = []
    tenant_choices: list[Option] = []
    filter_tenant: str = "all"
    filter_status: str = "all"
    filter_client: str = ""
    # Admins see several tenants, so lists say which tenant each project belongs to.
    show_tenant: bool = False
    loaded: bool = False
    error: str = ""

    @rx.event
    @guard(roles=ROLES, clear=("projects", "cards", "loaded"))
    def load(self) -> None:
        """Load every figure through the tenant-scoped session (RLS decides what is visible)."""
        filters = DashboardFilters(
            tenant_id="" if self.filter_tenant == "all" else self.filter_tenant,
            status="" if self.filter_status == "all" else self.filter_status,
            client=self.filter_client[:200],
        )
        with self._db() as session:
            board = load_dashboard(session=session, filters=filters)
            self.projects = list_projects(session=session)[:RECENT]
            self.tenant_choices = options(tenant_options(session=session))
        self._show(board, filters)
        self.show_tenant = self._require_user().context.admin_scope
        self.loaded = True

    def _show(self, board, filters: DashboardFilters) -> None:  # type: ignore[no-untyped-def]
        link = {"tenant": filters.tenant_id, "client": filters.client}
        counts = board.status_counts
        self.cards = [
            StatCard(s, label, counts[s], routes.projects_url(status=s, **link))
            for s, label in (
                ("active", "Active"),
                ("planning", "Planning"),
                ("on_hold", "On hold"),
                ("completed", "Completed"),
            )
        ] + [
            StatCard(
                "overdue",
                "Overdue tasks",
                board.overdue_count,
                routes.projects_url(overdue="1", **link),
            )
        ]
        self.overdue_tasks, self.due_soon = board.overdue_tasks, board.due_soon
        self.tasks_by_project = board.tasks_by_project
        self.milestone_progress = board.milestone_progress

    @rx.event
    def set_filter(self, name: str, value: str):  # type: ignore[no-untyped-def]
        """Change one filter (tenant, status or client) and reload."""
        if name == "tenant":
            self.filter_tenant = value
        elif name == "status":
            self.filter_status = value
        elif name == "client":
            self.filter_client = value
        return DashboardState.load
