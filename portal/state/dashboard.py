"""Dashboard state: the projects of the signed-in user's tenant scope."""

from __future__ import annotations

import reflex as rx

from portal.db import tenant_session
from portal.services.errors import PortalError
from portal.services.projects import ProjectSummary, list_projects
from portal.state.session import SessionState

ROLES = ("admin", "agency")


class DashboardState(SessionState):
    """Project list and counts for the dashboard."""

    projects: list[ProjectSummary] = []
    # Admins see several tenants, so the list shows which tenant each project belongs to.
    show_tenant: bool = False
    loaded: bool = False
    error: str = ""

    @rx.var
    def active_count(self) -> int:
        return sum(1 for p in self.projects if p.status == "active")

    @rx.var
    def overdue_count(self) -> int:
        return sum(p.overdue_tasks for p in self.projects)

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """Load projects through the tenant-scoped session (RLS decides what is visible)."""
        try:
            user = self._require_user(ROLES)
        except PortalError as exc:
            self.projects, self.loaded, self.error = [], False, exc.user_message
            return
        with tenant_session(user.context) as session:
            self.projects = list_projects(session=session)
        self.show_tenant = user.context.admin_scope
        self.loaded, self.error = True, ""
