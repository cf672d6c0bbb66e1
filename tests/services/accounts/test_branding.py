"""Tenant logos: content-checked uploads, served for the tenant's pages and emails."""

from __future__ import annotations

import pytest

from portal.services.accounts import branding
from portal.services.core.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import make_studio_admin, make_tenant, make_user, session_of

pytestmark = pytest.mark.usefixtures("database")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_logo_is_stored_and_replaced() -> None:
    studio, admin = make_studio_admin()
    agency = make_tenant(managed_by=studio)
    assert branding.save_logo(user=admin, tenant_id=str(agency.id), data=PNG).endswith(".png")
    assert branding.save_logo(user=admin, tenant_id=str(agency.id), data=JPEG).endswith(".jpg")
    assert [p.suffix for p in branding.logo_dir().glob(f"{agency.id}.*")] == [".jpg"]
    # Served over HTTP: tests/api/test_branding_api.py.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<svg onload=alert(1)></svg>", "PNG or JPEG"),
        (b"GIF89a" + b"\x00" * 10, "PNG or JPEG"),
        (PNG + b"\x00" * branding.MAX_LOGO_BYTES, "512 KB"),
    ],
)
def test_bad_logos_are_refused_and_nothing_is_written(data: bytes, message: str) -> None:
    studio, admin = make_studio_admin()
    agency = make_tenant(managed_by=studio)
    with pytest.raises(InvalidInput, match=message):
        branding.save_logo(user=admin, tenant_id=str(agency.id), data=data)
    assert list(branding.logo_dir().glob(f"{agency.id}.*")) == []


def test_only_studio_admins_of_the_tenant_may_set_a_logo() -> None:
    studio, admin = make_studio_admin()
    foreign = make_tenant(managed_by=make_tenant(type="admin"))
    with pytest.raises(NotFound):
        branding.save_logo(user=admin, tenant_id=str(foreign.id), data=PNG)
    agency = make_tenant(managed_by=studio)
    agency_admin = session_of(make_user(tenant=agency, role="admin"))
    with pytest.raises(PermissionDenied):
        branding.save_logo(user=agency_admin, tenant_id=str(agency.id), data=PNG)
