"""Audit log reading: filters, keyset pages, diffs, bounded ranges, clear errors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from portal.db import tenant_session
from portal.models import Project
from portal.services.compliance.audit_log import (
    AuditFilters,
    audit_diff,
    audit_page,
    export_rows,
    parse_filters,
)
from portal.services.core.errors import InvalidInput
from portal.services.core.locale import today
from tests.factories import ctx, make_graph, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")


def page(context, **params):
    with tenant_session(context) as session:
        filters = parse_filters(session=session, params=params)
        return audit_page(session=session, filters=filters)


def test_filters_narrow_by_type_entity_action_and_actor() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        session.execute(update(Project).where(Project.id == g.project.id).values(title="Renamed"))
    c = ctx(g.tenant)
    rows, _ = page(c, entity_type="projects", action="update")
    assert [(r.entity_id, r.summary, r.actor) for r in rows] == [
        (str(g.project.id), "Renamed", g.user.email)
    ]
    assert {r.entity_type for r in page(c, entity_id=str(g.task.id))[0]} == {"tasks"}
    assert all(r.actor == g.user.email for r in page(c, actor=g.user.email.upper())[0])
    assert page(c, actor="system")[0] == []  # every change here had a signed-in actor


def test_update_diff_shows_only_changed_fields_and_insert_shows_all() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        session.execute(update(Project).where(Project.id == g.project.id).values(title="New"))
    c = ctx(g.tenant)
    [upd], _ = page(c, entity_type="projects", action="update")
    with tenant_session(c) as session:
        diff = {d.field: (d.before, d.after) for d in audit_diff(session=session, key=upd.key)}
    assert diff["title"] == (g.project.title, "New")
    assert "client_name" not in diff
    [ins], _ = page(c, entity_type="projects", action="insert")
    with tenant_session(c) as session:
        fields = {d.field for d in audit_diff(session=session, key=ins.key)}
    assert {"title", "client_name", "status"} <= fields


def test_keyset_pages_cover_every_row_once() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        for i in range(7):
            session.add(Project(tenant_id=g.tenant.id, client_name="C", title=f"P{i}"))
    with tenant_session(ctx(g.tenant)) as session:
        filters = parse_filters(session=session, params={})
        seen, after, more = [], "", True
        while more:
            rows, more = audit_page(session=session, filters=filters, after=after, limit=3)
            seen += [r.key for r in rows]
            after = rows[-1].key if rows else ""
        everything = list(export_rows(session=session, filters=filters))
    assert len(seen) == len(set(seen)) == len(everything) >= 7


def test_other_tenants_and_unmanaged_rows_stay_invisible() -> None:
    studio = make_tenant(type="admin")
    managed, stranger = make_graph(managed_by=studio), make_graph()
    admin = make_user(tenant=studio, role="admin")
    rows, _ = page(ctx(studio, admin, admin_scope=True))
    tenants = {r.tenant for r in rows}
    assert managed.tenant.name in tenants and stranger.tenant.name not in tenants
    assert stranger.tenant.name not in {r.tenant for r in page(ctx(managed.tenant))[0]}
    with pytest.raises(InvalidInput, match="not one whose audit log"):
        page(ctx(managed.tenant), tenant=str(stranger.tenant.id))


def test_a_studio_admin_reads_only_the_tenants_its_studio_manages() -> None:
    # The read policy is no longer an index condition (0015): the scope is filtered row by row
    # on the date index walk, and must still hide another studio's agencies and the studio's
    # own unmanaged neighbours, whichever filters and range are asked for.
    studio, other_studio = make_tenant(type="admin"), make_tenant(type="admin")
    mine = [make_graph(managed_by=studio) for _ in range(2)]
    theirs, stranger = make_graph(managed_by=other_studio), make_graph()
    admin = make_user(tenant=studio, role="admin")
    year = {"from": str(today() - timedelta(days=365)), "to": str(today())}
    visible = {g.tenant.name for g in mine}
    for params in ({}, year, year | {"entity_type": "projects", "action": "insert"}):
        rows, _ = page(ctx(studio, admin, admin_scope=True), **params)
        assert visible <= {r.tenant for r in rows} <= visible | {studio.name}
        assert theirs.tenant.name not in {r.tenant for r in rows}
        assert stranger.tenant.name not in {r.tenant for r in rows}
    with pytest.raises(InvalidInput, match="not one whose audit log"):
        page(ctx(studio, admin, admin_scope=True), tenant=str(theirs.tenant.id))
    # Without the admin scope switched on, the studio admin sees only the studio's own rows.
    rows, _ = page(ctx(studio, admin))
    assert {r.tenant for r in rows} <= {studio.name}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "red"}, "Unknown filter: colour"),
        ({"entity_type": "users"}, "Entity type must be one of"),
        ({"action": "drop"}, "Action must be one of"),
        ({"entity_id": "12"}, "Entity must be an id"),
        ({"from": "2026-13-01"}, "From must be a date"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most 366 days"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "on or before"),
        ({"actor": "ghost@example.test"}, "No user with the email"),
    ],
)
def test_bad_filters_are_clear_errors(params: dict[str, str], message: str) -> None:
    g = make_graph()
    with pytest.raises(InvalidInput, match=message):
        page(ctx(g.tenant), **params)


def test_default_range_is_bounded_and_a_tampered_key_is_refused() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant)) as session:
        filters = parse_filters(session=session, params={})
        assert filters.date_to == today() and (filters.date_to - filters.date_from).days == 29
        with pytest.raises(InvalidInput, match="start again"):
            audit_page(session=session, filters=filters, after="yesterday|nope")
        old = AuditFilters(date_from=date(2001, 1, 1), date_to=date(2001, 1, 1) + timedelta(1))
        assert audit_page(session=session, filters=old) == ([], False)


def test_a_one_tenant_scope_is_named_in_the_filters_an_admin_scope_is_not() -> None:
    # The explicit tenant lets the planner use the tenant index (RLS alone hides its size).
    studio = make_tenant(type="admin")
    managed = make_graph(managed_by=studio)
    admin = make_user(tenant=studio, role="admin")
    with tenant_session(ctx(managed.tenant)) as session:
        assert parse_filters(session=session, params={}).tenant_id == managed.tenant.id
    with tenant_session(ctx(studio, admin, admin_scope=True)) as session:
        assert parse_filters(session=session, params={}).tenant_id is None
