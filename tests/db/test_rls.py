"""Tenant isolation by Postgres RLS, as the runtime role, for every RLS table."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DataError, DBAPIError, ProgrammingError

from portal import models
from portal.db import TenantContext, tenant_session
from tests.factories import TenantGraph, ctx, make_graph, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")

# table -> (model, attribute of TenantGraph holding that tenant's row)
RLS_TABLES = {
    "users": (models.User, "user"),
    "projects": (models.Project, "project"),
    "milestones": (models.Milestone, "milestone"),
    "tasks": (models.Task, "task"),
    "assets": (models.Asset, "asset"),
    "share_links": (models.ShareLink, "share_link"),
    "comments": (models.Comment, "comment"),
    "notifications": (models.Notification, "notification"),
    "tus_uploads": (models.TusUpload, "tus_upload"),
    "audit_logs": (models.AuditLog, None),
}


@pytest.fixture(scope="module")
def two_tenants() -> tuple[TenantGraph, TenantGraph]:
    return make_graph(), make_graph()


def visible_ids(context: TenantContext | None, model) -> set[uuid.UUID]:
    with tenant_session(context) as session:
        return set(session.scalars(select(model.id)))


def visible_tenants(context: TenantContext | None, model) -> set[uuid.UUID]:
    with tenant_session(context) as session:
        return set(session.scalars(select(model.tenant_id).distinct()))


@pytest.mark.parametrize("table", RLS_TABLES)
def test_reads_only_own_tenant(table: str, two_tenants: tuple[TenantGraph, TenantGraph]) -> None:
    a, b = two_tenants
    model, attr = RLS_TABLES[table]
    assert visible_tenants(ctx(a.tenant), model) == {a.tenant.id}
    assert visible_tenants(ctx(b.tenant), model) == {b.tenant.id}
    if attr:
        assert getattr(a, attr).id in visible_ids(ctx(a.tenant), model)
        assert getattr(b, attr).id not in visible_ids(ctx(a.tenant), model)


@pytest.mark.parametrize("table", RLS_TABLES)
def test_nothing_set_sees_nothing(table: str, two_tenants: tuple[TenantGraph, TenantGraph]) -> None:
    model, _ = RLS_TABLES[table]
    assert visible_ids(None, model) == set()
    with tenant_session(None) as session:
        assert session.scalar(text(f"SELECT count(*) FROM {table}")) == 0


@pytest.mark.parametrize("table", [t for t, (_, attr) in RLS_TABLES.items() if attr])
def test_update_and_delete_cannot_touch_other_tenant(
    table: str, two_tenants: tuple[TenantGraph, TenantGraph]
) -> None:
    a, b = two_tenants
    model, attr = RLS_TABLES[table]
    other_id = getattr(b, attr).id
    with tenant_session(ctx(a.tenant)) as session:
        touched = session.execute(
            update(model).where(model.id == other_id).values(updated_at=text("now()"))
            if hasattr(model, "updated_at")
            else update(model).where(model.id == other_id).values(read_at=text("now()"))
        )
        assert touched.rowcount == 0
        assert session.execute(delete(model).where(model.id == other_id)).rowcount == 0
    assert other_id in visible_ids(ctx(b.tenant), model)


def test_cannot_move_a_row_into_another_tenant(
    two_tenants: tuple[TenantGraph, TenantGraph],
) -> None:
    a, b = two_tenants
    with pytest.raises(ProgrammingError, match="row-level security") as refused:
        with tenant_session(ctx(a.tenant)) as session:
            session.execute(
                update(models.Notification)
                .where(models.Notification.id == a.notification.id)
                .values(tenant_id=b.tenant.id, user_id=b.user.id)
            )
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)


INSERTS = {
    "users": "INSERT INTO users (tenant_id, role, email) VALUES (:t, 'agency', 'x@example.test')",
    "projects": "INSERT INTO projects (tenant_id, client_name, title) VALUES (:t, 'c', 'p')",
    "milestones": "INSERT INTO milestones (tenant_id, project_id, title) "
    "VALUES (:t, :project, 'm')",
    "tasks": "INSERT INTO tasks (tenant_id, milestone_id, title) VALUES (:t, :milestone, 'x')",
    "assets": "INSERT INTO assets (tenant_id, project_id, title, version) "
    "VALUES (:t, :project, 'a', 99)",
    "share_links": "INSERT INTO share_links (tenant_id, asset_id, hashed_token, expires_at) "
    "VALUES (:t, :asset, repeat('a', 64), now() + interval '1 day')",
    "comments": "INSERT INTO comments (tenant_id, parent_type, parent_id, body) "
    "VALUES (:t, 'task', :task, 'hi')",
    "notifications": "INSERT INTO notifications (tenant_id, user_id, type) VALUES (:t, :user, 'x')",
    "audit_logs": "INSERT INTO audit_logs (tenant_id, action, entity_type, entity_id) "
    "VALUES (:t, 'insert', 'projects', gen_random_uuid())",
}


def graph_params(g: TenantGraph) -> dict[str, uuid.UUID]:
    return {
        "t": g.tenant.id,
        "project": g.project.id,
        "milestone": g.milestone.id,
        "task": g.task.id,
        "asset": g.asset.id,
        "user": g.user.id,
    }


def assert_refused(error: DBAPIError, table: str) -> None:
    """The row-level security policy refused the row; for comments, the parent check (a
    trigger that runs first) refused it because the parent is not in the writer's tenant."""
    if table == "comments":
        assert isinstance(error.orig, psycopg.errors.ForeignKeyViolation)
        assert "not found in this tenant" in str(error.orig)
    else:
        assert isinstance(error.orig, psycopg.errors.InsufficientPrivilege)
        assert f'new row violates row-level security policy for table "{table}"' in str(error.orig)


@pytest.mark.parametrize("table", INSERTS)
def test_insert_into_other_tenant_is_refused(
    table: str, two_tenants: tuple[TenantGraph, TenantGraph]
) -> None:
    a, b = two_tenants
    with pytest.raises(DBAPIError) as refused:
        with tenant_session(ctx(a.tenant)) as session:
            session.execute(text(INSERTS[table]), graph_params(b))
    assert_refused(refused.value, table)


@pytest.mark.parametrize("table", INSERTS)
def test_insert_without_context_is_refused(
    table: str, two_tenants: tuple[TenantGraph, TenantGraph]
) -> None:
    a, _ = two_tenants
    with pytest.raises(DBAPIError) as refused:
        with tenant_session(None) as session:
            session.execute(text(INSERTS[table]), graph_params(a))
    assert_refused(refused.value, table)


def test_insert_into_own_tenant_works(two_tenants: tuple[TenantGraph, TenantGraph]) -> None:
    a, _ = two_tenants
    fresh = make_graph()
    params = graph_params(fresh)
    with tenant_session(ctx(fresh.tenant)) as session:
        for table, statement in INSERTS.items():
            if table == "users":
                statement = statement.replace("x@example.test", f"{uuid.uuid4().hex}@example.test")
            session.execute(text(statement), params)
    assert a.tenant.id != fresh.tenant.id


def test_admin_scope_sees_managed_tenants_only() -> None:
    studio = make_tenant(type="admin")
    other_studio = make_tenant(type="admin")
    managed = make_graph(managed_by=studio)
    unmanaged = make_graph(managed_by=other_studio)
    admin = make_user(tenant=studio, role="admin")
    own = make_graph(studio)

    scoped = ctx(studio, admin, admin_scope=True)
    seen = visible_tenants(scoped, models.Project)
    assert seen == {studio.id, managed.tenant.id}
    assert unmanaged.tenant.id not in seen
    # Without the admin scope the studio sees only itself.
    assert visible_tenants(ctx(studio, admin), models.Project) == {studio.id}
    assert own.project.id in visible_ids(scoped, models.Project)


def test_admin_scope_is_ignored_for_an_agency_tenant() -> None:
    agency = make_graph()
    managed_by_agency = make_graph(managed_by=None)
    scoped = ctx(agency.tenant, agency.user, admin_scope=True)
    assert visible_tenants(scoped, models.Project) == {agency.tenant.id}
    assert managed_by_agency.tenant.id not in visible_tenants(scoped, models.Project)


def test_a_malformed_tenant_id_fails_closed() -> None:
    with pytest.raises(DataError, match="invalid input syntax for type uuid") as refused:
        with tenant_session(None) as session:
            session.execute(text("SELECT set_config('app.tenant_id', 'nope', true)"))
            session.execute(text("SELECT count(*) FROM projects")).scalar()
    assert isinstance(refused.value.orig, psycopg.errors.InvalidTextRepresentation)


def test_runtime_role_owns_nothing_and_cannot_bypass_rls(owner_conn) -> None:
    role = owner_conn.execute(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
        "WHERE rolname = 'portal_app'"
    ).fetchone()
    assert role == (False, False, False, False)
    owned = owner_conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE r.rolname = 'portal_app'"
    ).fetchone()
    assert owned == (0,)
    forced = owner_conn.execute(
        "SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity "
        "AND relkind IN ('r', 'p') AND relnamespace = 'public'::regnamespace ORDER BY 1"
    ).fetchall()
    assert {name for (name,) in forced} >= set(RLS_TABLES)


def test_owner_is_subject_to_rls_too(owner_conn, two_tenants) -> None:
    # FORCE ROW LEVEL SECURITY: the owning role sees nothing without a tenant context.
    with owner_conn.transaction():
        assert owner_conn.execute("SELECT count(*) FROM projects").fetchone() == (0,)
        a, _ = two_tenants
        owner_conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(a.tenant.id),))
        assert owner_conn.execute("SELECT count(*) FROM projects").fetchone() == (1,)
