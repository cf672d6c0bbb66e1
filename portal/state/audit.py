"""Audit log page state: filters, keyset pages, one expanded before/after diff."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx

from portal import routes
from portal.services.compliance.audit_log import (
    DEFAULT_RANGE_DAYS,
    AuditRow,
    DiffRow,
    audit_diff,
    audit_page,
    parse_filters,
    scoped_tenants,
)
from portal.services.core.locale import format_short_date, iso, today
from portal.services.core.permissions import Action
from portal.services.core.validation import read_date
from portal.state.actions import Option, options
from portal.state.session import SessionState, guard

ROLES = ("admin",)
FILTERS = ("from", "to", "entity_type", "entity_id", "actor", "action", "tenant")
MAX_FILTER_CHARS = 320


class AuditState(SessionState):
    """The audit entries the viewer's scope allows; every handler re-checks VIEW_AUDIT."""

    rows: list[AuditRow] = []
    has_more: bool = False
    page: int = 1
    # The filters as the form shows them (validated by the service on every query).
    date_from: str = ""
    date_to: str = ""
    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""
    action: str = ""
    tenant: str = ""
    # Bumped when the filters change on the server, so the (uncontrolled) form re-renders.
    form_key: int = 0
    tenant_choices: list[Option] = []
    show_tenant: bool = False
    # The row key whose diff is open, and that diff.
    expanded: str = ""
    diff: list[DiffRow] = []
    error: str = ""
    # The row key each shown page continues after ("" for the first page).
    _starts: list[str] = []

    def _params(self) -> dict[str, str]:
        values = (self.date_from, self.date_to, self.entity_type, self.entity_id, self.actor)
        values += (self.action, self.tenant)
        return {k: v for k, v in zip(FILTERS, values, strict=True) if v}

    def _set_filters(self, params: dict[str, str]) -> None:
        self.date_from, self.date_to = params.get("from", ""), params.get("to", "")
        self.entity_type, self.entity_id = (
            params.get("entity_type", ""),
            params.get("entity_id", ""),
        )
        self.actor, self.action = params.get("actor", ""), params.get("action", "")
        self.tenant = params.get("tenant", "")
        self.form_key += 1

    @rx.var
    def export_url(self) -> str:
        """The CSV export of the applied filters (the route checks the session itself); its
        dates in ISO, as a link should carry them."""
        params = self._params()
        for key in ("from", "to"):
            try:
                params[key] = iso(read_date(params[key]))
            except (KeyError, ValueError):
                pass
        return routes.page_url(routes.API_AUDIT_EXPORT, **params)

    def _query(self, after: str) -> None:
        """Load the page after `after`; a bad filter raises, so the old rows stay (`guard`
        says why)."""
        user = self._require_user()
        with self._db() as session:
            filters = parse_filters(session=session, params=self._params())
            rows, more = audit_page(session=session, filters=filters, after=after)
            self.tenant_choices = options(scoped_tenants(session=session))
        self.rows, self.has_more = rows, more
        self.expanded, self.diff = "", []
        self.show_tenant = user.context.admin_scope

    @rx.event
    @guard(roles=ROLES, action=Action.VIEW_AUDIT, clear=("rows",))
    def load(self) -> None:
        """on_load: the last 30 days, first page."""
        end = today()
        start = end - timedelta(DEFAULT_RANGE_DAYS - 1)
        self._set_filters({"from": format_short_date(start), "to": format_short_date(end)})
        self.rows, self._starts, self.page = [], [""], 1
        self._query("")

    @rx.event
    @guard(roles=ROLES, action=Action.VIEW_AUDIT)
    def apply(self, form: dict) -> None:
        """Apply the filter form (unknown fields are dropped; values are validated on query)."""
        self._set_filters({k: str(form.get(k, "")).strip()[:MAX_FILTER_CHARS] for k in FILTERS})
        self._query("")
        self._starts, self.page = [""], 1

    @rx.event
    @guard(roles=ROLES, action=Action.VIEW_AUDIT)
    def next_page(self) -> None:
        """The next (older) page, continuing after the last row shown."""
        if not self.rows or not self.has_more:
            return
        after = self.rows[-1].key
        self._query(after)
        self._starts.append(after)
        self.page += 1

    @rx.event
    @guard(roles=ROLES, action=Action.VIEW_AUDIT)
    def previous_page(self) -> None:
        """The previous (newer) page."""
        if len(self._starts) < 2:
            return
        self._query(self._starts[-2])
        self._starts.pop()
        self.page -= 1

    @rx.event
    @guard(roles=ROLES, action=Action.VIEW_AUDIT, clear=("expanded", "diff"))
    def toggle(self, key: str) -> None:
        """Open (or close) one entry's before/after diff."""
        if self.expanded == key:
            self.expanded, self.diff = "", []
            return
        with self._db() as session:
            self.diff = audit_diff(session=session, key=str(key)[:200])
        self.expanded = key if self.diff else ""
