"""Projects: scoped listing with search/filters/sort/pages, create, edit, archive, isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.db import tenant_session
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.projects.milestones import create_milestone
from portal.services.projects.projects import (
    ProjectFilters,
    archive_project,
    create_project,
    list_project_page,
    list_projects,
    project_summary,
    tenant_options,
    update_project,
)
from tests.factories import END, START, Studio, ctx, make_graph, make_tenant, make_user

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
        options = dict(tenant_options(session=session))
    assert str(managed.project.id) in ids and str(unmanaged.project.id) not in ids
    assert str(managed.tenant.id) in options and str(unmanaged.tenant.id) not in options


def _make(session, tenant_id, titles):
    for title, client, status in titles:
        create_project(
            session=session, tenant_id=tenant_id, title=title, client_name=client, status=status
        )


def test_search_filter_sort_and_pages(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        _make(
            session,
            studio.agency.id,
            [
                ("Alpha launch", "Acme", "active"),
                ("Beta 50% promo", "Bolt", "planning"),
                ("Gamma", "Acme", "archived"),
            ],
        )
        page = lambda **kw: list_project_page(session=session, filters=ProjectFilters(**kw))  # noqa: E731
        tenant = str(studio.agency.id)
        assert [p.title for p in page(tenant_id=tenant, search="alpha").projects] == [
            "Alpha launch"
        ]
        # % and _ are literal in search, not wildcards.
        assert [p.title for p in page(tenant_id=tenant, search="50%").projects] == [
            "Beta 50% promo"
        ]
        assert [p.title for p in page(tenant_id=tenant, client="acme").projects] == ["Alpha launch"]
        assert [p.title for p in page(tenant_id=tenant, status="archived").projects] == ["Gamma"]
        by_title = page(tenant_id=tenant, sort="title", page_size=2)
        assert [p.title for p in by_title.projects] == ["Alpha launch", "Beta 50% promo"]
        assert by_title.has_next
        second = page(tenant_id=tenant, sort="title", page_size=2, page=2)
        assert len(second.projects) == 1 and not second.has_next
        with pytest.raises(InvalidInput, match="Unknown sort"):
            page(sort="drop table")
        with pytest.raises(InvalidInput, match="Unknown project status"):
            page(status="bogus")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " ", "client_name": "c"}, "Title is required"),
        ({"title": "t", "client_name": ""}, "Client name is required"),
        ({"title": "t" * 201, "client_name": "c"}, "at most 200 characters"),
        ({"title": "t", "client_name": "c", "status": "bogus"}, "Unknown project status"),
        # The US order is refused (en-AU is day/month/year).
        ({"title": "t", "client_name": "c", "start_date": "01/31/2026"}, "not a valid date"),
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


def test_create_project_in_a_tenant_outside_the_scope_is_refused(studio: Studio) -> None:
    other = make_graph()
    with tenant_session(studio.admin_ctx) as session, pytest.raises(NotFound):
        create_project(session=session, tenant_id=other.tenant.id, title="t", client_name="c")


def test_edit_and_archive(studio: Studio) -> None:
    pid = studio.project.id
    with tenant_session(studio.admin_ctx) as session:
        update_project(
            session=session,
            project_id=str(pid),
            client_name="New client",
            title="Renamed",
            status="on_hold",
            start_date=START.isoformat(),
            end_date=END.isoformat(),
        )
        archive_project(session=session, project_id=pid)
    with tenant_session(studio.member_ctx) as session:
        summary = project_summary(session=session, project_id=pid)
        assert (summary.title, summary.client_name, summary.status) == (
            "Renamed",
            "New client",
            "archived",
        )
        assert str(pid) not in {p.id for p in list_projects(session=session)}


def test_edit_cannot_leave_a_milestone_outside_the_dates(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        create_milestone(session=session, project_id=studio.project.id, title="Grade", due_date=END)
        with pytest.raises(InvalidInput, match="after the end"):
            update_project(
                session=session,
                project_id=studio.project.id,
                client_name="c",
                title="t",
                status="active",
                start_date=START,
                end_date=END - timedelta(days=1),
            )


def test_another_tenants_project_reads_as_not_found_by_id(studio: Studio) -> None:
    other = make_graph()
    with tenant_session(studio.member_ctx) as session:
        for call in (
            lambda: project_summary(session=session, project_id=other.project.id),
            lambda: archive_project(session=session, project_id=other.project.id),
            lambda: project_summary(session=session, project_id="not-a-uuid"),
        ):
            with pytest.raises(NotFound):
                call()
    with tenant_session(ctx(other.tenant)) as session:
        assert project_summary(session=session, project_id=other.project.id).status == "active"
