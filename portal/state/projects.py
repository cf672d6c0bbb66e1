"""Projects list state: search, filters, sort, pages; create/edit/archive dialogs for admins."""

from __future__ import annotations

import reflex as rx

from portal.services.core.permissions import Action, can
from portal.services.projects.projects import (
    ProjectFilters,
    ProjectSummary,
    archive_project,
    create_project,
    list_project_page,
    tenant_options,
    update_project,
)
from portal.state.actions import ROLES, Option, options
from portal.state.session import SessionState, guard


class ProjectsState(SessionState):
    """One page of projects and the project form."""

    rows: list[ProjectSummary] = []
    page: int = 1
    has_next: bool = False
    search: str = ""
    status: str = "current"  # "current" = everything but archived
    tenant: str = "all"
    client: str = ""
    overdue: bool = False
    sort: str = "newest"
    tenant_choices: list[Option] = []
    can_manage: bool = False
    show_tenant: bool = False
    error: str = ""
    # The create/edit dialog: open flag, its message, the project being edited (id "" = new).
    form_open: bool = False
    form_error: str = ""
    form: ProjectSummary = ProjectSummary("", "", "", "active", "", "", "", 0, 0)

    @rx.event
    @guard(roles=ROLES, clear=("rows", "has_next"))
    def load(self) -> None:
        """on_load: filters from the URL (dashboard cards link here), then the first page."""
        params = self.router.url.query_parameters
        self.status = params.get("status", "current")
        self.tenant = params.get("tenant", "all")
        self.client = params.get("client", "")[:200]
        self.search = params.get("q", "")[:200]
        self.overdue = params.get("overdue") == "1"
        self.page = 1
        self._refresh()

    def _refresh(self) -> None:
        filters = ProjectFilters(
            search=self.search,
            status="" if self.status == "current" else self.status,
            tenant_id="" if self.tenant == "all" else self.tenant,
            client=self.client,
            overdue=self.overdue,
            sort=self.sort,
            page=self.page,
        )
        user = self._require_user(ROLES)
        with self._db() as session:
            result = list_project_page(session=session, filters=filters)
            self.tenant_choices = options(tenant_options(session=session))
        self.rows, self.has_next = result.projects, result.has_next
        self.can_manage = can(user, Action.MANAGE_PROJECTS)
        self.show_tenant = user.context.admin_scope

    @rx.event
    @guard(roles=ROLES, clear=("rows", "has_next"))
    def set_filter(self, name: str, value: str) -> None:
        """Change search, status, tenant, client or sort and show the first page."""
        value = str(value)[:200]
        if name in ("search", "status", "tenant", "client", "sort"):
            setattr(self, name, value)
        elif name == "overdue":
            self.overdue = False
        self.page = 1
        self._refresh()

    @rx.event
    @guard(roles=ROLES, clear=("rows", "has_next"))
    def turn_page(self, step: int) -> None:
        """Next (+1) or previous (-1) page."""
        self.page = max(1, self.page + int(step))
        self._refresh()

    @rx.event
    def open_form(self, project_id: str = "") -> None:
        """Open the dialog: empty for a new project, filled for an existing one."""
        blank = ProjectSummary("", "", "", "active", "", "", "", 0, 0)
        self.form = next((p for p in self.rows if p.id == project_id), blank)
        self.form_error, self.form_open = "", True

    @rx.event
    def close_form(self) -> None:
        self.form_open = False

    @rx.event
    @guard(roles=ROLES, action=Action.MANAGE_PROJECTS, message="form_error")
    def save(self, form: dict) -> None:
        """Create or edit a project (studio admins; checked again on the server)."""
        fields = {
            "client_name": form.get("client_name", ""),
            "title": form.get("title", ""),
            "status": form.get("status", "active"),
            "start_date": form.get("start_date", ""),
            "end_date": form.get("end_date", ""),
        }
        with self._db() as session:
            if self.form.id:
                update_project(session=session, project_id=self.form.id, **fields)
            else:
                create_project(
                    session=session,
                    tenant_id=form.get("tenant_id", ""),
                    created_by=self._require_user().user_id,
                    **fields,
                )
        self.form_open = False
        self._refresh()

    @rx.event
    @guard(roles=ROLES, action=Action.MANAGE_PROJECTS)
    def archive(self, project_id: str) -> None:
        """Archive a project (soft delete)."""
        with self._db() as session:
            archive_project(session=session, project_id=project_id)
        self._refresh()
