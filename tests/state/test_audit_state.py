"""Audit page handlers with a real session cookie: scope, paging, diff, refusals."""

from __future__ import annotations

from functools import partial

import pytest

from portal.services.compliance.audit_log import audit_page
from portal.state import audit as audit_state
from portal.state.audit import AuditState
from tests.factories import make_graph, make_tenant, make_user
from tests.state.test_state import make_state, redirect_target, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")
URL = "http://localhost:3000/audit"


def test_agency_admin_sees_own_tenant_and_expands_a_diff() -> None:
    mine, theirs = make_graph(), make_graph()
    admin = make_user(tenant=mine.tenant, role="admin")
    state = make_state(AuditState, cookie=signed_in_cookie(admin.email), url=URL)
    assert state.load() is None and state.error == ""
    assert state.rows and {r.tenant for r in state.rows} == {mine.tenant.name}
    assert not state.show_tenant
    key = state.rows[0].key
    state.toggle(key)
    assert state.expanded == key and state.diff
    state.toggle(key)
    assert state.expanded == "" and state.diff == []
    # Another tenant's entity id finds nothing; a filter error keeps a clear message.
    state.apply({"entity_id": str(theirs.project.id)})
    assert state.rows == [] and state.error == ""
    state.apply({"from": "1999-01-01", "to": "2026-01-01"})
    assert "366 days" in state.error
    assert "from=1999-01-01" in state.export_url


def test_studio_admin_pages_through_managed_tenants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_state, "audit_page", partial(audit_page, limit=4))
    studio = make_tenant(type="admin")
    for _ in range(3):
        make_graph(managed_by=studio)
    admin = make_user(tenant=studio, role="admin")
    state = make_state(AuditState, cookie=signed_in_cookie(admin.email), url=URL)
    state.load()
    assert state.show_tenant and len(state.tenant_choices) == 4
    first = [r.key for r in state.rows]
    assert len(first) == 4 and state.has_more
    state.next_page()
    assert state.page == 2 and not set(first) & {r.key for r in state.rows}
    state.previous_page()
    assert state.page == 1 and [r.key for r in state.rows] == first


def test_members_and_signed_out_visitors_are_refused() -> None:
    g = make_graph()
    member = make_state(AuditState, cookie=signed_in_cookie(g.user.email), url=URL)
    member.load()
    assert member.rows == [] and "permission" in member.error
    member.toggle("2026-01-01T00:00:00+00:00|" + str(g.project.id))
    assert member.diff == []
    anonymous = make_state(AuditState, url=URL)
    assert redirect_target(anonymous.load()).startswith("/login")
