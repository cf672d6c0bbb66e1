"""/api/audit/export.csv: session checked, RLS-scoped, streamed, bad filters are a 400."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import make_graph, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")


def test_agency_admin_exports_own_tenant_only(client_for) -> None:
    mine, theirs = make_graph(), make_graph()
    admin = make_user(tenant=mine.tenant, role="admin")
    with client_for(admin.email).stream("GET", "/api/audit/export.csv") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        body = "".join(response.iter_text())
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {r["tenant"] for r in rows} == {mine.tenant.name}
    assert str(mine.project.id) in {r["entity_id"] for r in rows}
    assert str(theirs.project.id) not in body
    assert all(len(r["row_hash"]) == 64 for r in rows)


def test_studio_admin_filters_by_managed_tenant(client_for) -> None:
    studio = make_tenant(type="admin")
    a, b = make_graph(managed_by=studio), make_graph(managed_by=studio)
    admin = make_user(tenant=studio, role="admin")
    response = client_for(admin.email).get(
        "/api/audit/export.csv", params={"tenant": str(a.tenant.id), "entity_type": "projects"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {(r["tenant"], r["entity_type"]) for r in rows} == {(a.tenant.name, "projects")}
    assert b.tenant.name not in response.text


def test_export_refuses_members_strangers_and_bad_filters(client_for) -> None:
    g = make_graph()
    admin = make_user(tenant=g.tenant, role="admin")
    assert client_for(None).get("/api/audit/export.csv").status_code == 401
    assert client_for(g.user.email).get("/api/audit/export.csv").status_code == 403
    bad = client_for(admin.email).get(
        "/api/audit/export.csv", params={"from": "2000-01-01", "to": "2026-01-01"}
    )
    assert bad.status_code == 400 and "at most 366 days" in bad.text
    other = make_graph()
    foreign = client_for(admin.email).get(
        "/api/audit/export.csv", params={"tenant": str(other.tenant.id)}
    )
    assert foreign.status_code == 400


def test_formula_like_cells_are_neutralised() -> None:
    from portal.api.audit import _cell

    assert _cell("=cmd()") == "'=cmd()" and _cell("plain") == "plain"
