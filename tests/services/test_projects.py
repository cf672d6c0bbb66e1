"""Project listing through the tenant-scoped session, and input validation."""

from __future__ import annotations

from datetime import date

import pytest

from portal.db import tenant_session
from portal.services.errors import InvalidInput
from portal.services.projects import create_project, format_date, list_projects
from tests.factories import ctx, make_graph, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")


def test_list_projects_shows_only_the_tenant_scope() -> None:
    a, b = make_graph(), make_graph()
    with tenant_session(ctx(a.tenant, a.user)) as session:
        listed = list_projects(session=session)
    assert [p.id for p in listed] == [str(a.project.id)]
    assert listed[0].open_tasks == 1 and listed[0].tenant_name == a.tenant.name
    assert str(b.project.id) not in {p.id for p in listed}


def test_admin_lists_managed_tenants_projects() -> None:
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    managed, unmanaged = make_graph(managed_by=studio), make_graph()
    with tenant_session(ctx(studio, admin, admin_scope=True)) as session:
        ids = {p.id for p in list_projects(session=session)}
    assert str(managed.project.id) in ids and str(unmanaged.project.id) not in ids


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " ", "client_name": "c"}, "needs a title"),
        ({"title": "t", "client_name": ""}, "needs a title and a client"),
        ({"title": "t", "client_name": "c", "status": "bogus"}, "Unknown project status"),
        (
            {
                "title": "t",
                "client_name": "c",
                "start_date": date(2026, 2, 1),
                "end_date": date(2026, 1, 1),
            },
            "end date",
        ),
    ],
)
def test_create_project_rejects_bad_input(kwargs: dict, message: str) -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant)) as session:
        with pytest.raises(InvalidInput, match=message):
            create_project(session=session, tenant_id=g.tenant.id, **kwargs)


def test_dates_display_in_en_au_format() -> None:
    assert format_date(date(2026, 11, 25)) == "25 Nov 2026"
    assert format_date(None) == ""
