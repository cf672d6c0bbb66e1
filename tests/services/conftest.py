"""A studio managing one agency, with a dated project: the setting most project tests need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from portal.db import TenantContext, tenant_session
from portal.models import Project, Tenant, User
from portal.services.core.locale import today
from portal.services.projects.projects import create_project
from tests.factories import ctx, make_tenant, make_user, unique


@dataclass
class Studio:
    """Studio tenant + admin, a managed agency + member, and one project of the agency."""

    studio: Tenant
    admin: User
    agency: Tenant
    member: User
    project: Project

    @property
    def admin_ctx(self) -> TenantContext:
        return ctx(self.studio, self.admin, admin_scope=True)

    @property
    def member_ctx(self) -> TenantContext:
        return ctx(self.agency, self.member)


START = today() - timedelta(days=30)
END = today() + timedelta(days=60)


def make_studio() -> Studio:
    studio = make_tenant(type="admin")
    admin = make_user(
        tenant=studio, role="admin", name="Ada Admin", email=f"ada.{unique('x')[-8:]}@studio.test"
    )
    agency = make_tenant(managed_by=studio)
    member = make_user(
        tenant=agency, name="Sam Member", email=f"sam.{unique('x')[-8:]}@agency.test"
    )
    with tenant_session(ctx(studio, admin, admin_scope=True)) as session:
        project = create_project(
            session=session,
            tenant_id=agency.id,
            client_name="Client",
            title=unique("Project"),
            start_date=START,
            end_date=END,
            created_by=admin.id,
        )
    return Studio(studio, admin, agency, member, project)


@pytest.fixture()
def studio(database) -> Studio:  # type: ignore[no-untyped-def]
    return make_studio()
