"""/api/branding/<tenant>/logo: the tenant's current logo, as stored, for pages and emails."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal.services.accounts import branding
from tests.factories import make_studio_admin, make_tenant

pytestmark = pytest.mark.usefixtures("database")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_the_replaced_logo_is_served_with_its_type(client: TestClient) -> None:
    studio, admin = make_studio_admin()
    agency = make_tenant(managed_by=studio)
    branding.save_logo(user=admin, tenant_id=str(agency.id), data=PNG)
    branding.save_logo(user=admin, tenant_id=str(agency.id), data=JPEG)
    response = client.get(branding.logo_url(agency.id))
    assert response.status_code == 200 and response.content == JPEG
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"/api/branding/{make_tenant().id}/logo").status_code == 404
    assert client.get("/api/branding/..%2F..%2Fetc/logo").status_code == 404
