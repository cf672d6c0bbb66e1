"""/api/evidence/<id>.{html,json}: residency evidence reports, for the managing studio's admins."""

from __future__ import annotations

import pytest

from portal.services.compliance import residency
from tests.factories import make_graph, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database", "data_dir")


def test_report_route_checks_session_role_and_scope(client_for) -> None:
    studio = make_tenant(type="admin")
    managed = make_graph(managed_by=studio)
    admin = make_user(tenant=studio, role="admin")
    outsider = make_user(tenant=make_tenant(type="admin"), role="admin")
    agency_admin = make_user(tenant=managed.tenant, role="admin")
    row = residency.generate_evidence(tenant_id=managed.tenant.id)

    def get(email: str | None, url: str):
        return client_for(email).get(url)

    ok = get(admin.email, row.report_url)
    assert ok.status_code == 200 and ok.text.startswith("<!doctype html>")
    assert "default-src 'none'" in ok.headers["content-security-policy"]
    assert get(admin.email, f"/api/evidence/{row.id}.json").json()["tenant"]["policy"] == "AU"
    assert get(None, row.report_url).status_code == 401
    assert get(agency_admin.email, row.report_url).status_code == 403
    assert get(outsider.email, row.report_url).status_code == 404
    assert get(admin.email, f"/api/evidence/{row.id}.txt").status_code == 404
    assert get(admin.email, "/api/evidence/..%2F..%2Fetc%2Fpasswd.html").status_code == 404
