"""What the runtime role may not do (issue 16 items 1 and 2; migration 0017), as SQL run as it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.db import TenantContext, tenant_session
from tests.factories import Studio, ctx, make_graph, make_user

pytestmark = pytest.mark.usefixtures("database")

MAINTENANCE_CALLS = (
    "SELECT * FROM system_audit_partitions()",
    "SELECT * FROM system_audit_partitions_as_of(now() + interval '100 years')",
    "SELECT * FROM system_purge_retention()",
    "SELECT * FROM system_purge_retention_as_of(now() + interval '100 years')",
    "SELECT audit_create_partition(current_date)",
    "SELECT audit_ensure_partitions(1)",
)
# The overloads that took a clock and periods from the caller (0008, 0010) are gone.
OLD_OVERLOADS = (
    "SELECT * FROM system_audit_partitions(now() + interval '100 years', 0, 0)",
    "SELECT * FROM system_purge_retention(now() + interval '100 years', 0, 0)",
    "SELECT * FROM system_audit_partitions(0, 0)",
    "SELECT * FROM system_purge_retention(0, 0)",
)


def run_as_runtime(context: TenantContext | None, sql: str, **params: object) -> object:
    """One statement as the runtime role (the web process's connection) in `context`."""
    with tenant_session(context) as session:
        return session.execute(text(sql), params)


def cause(error: DBAPIError) -> BaseException:
    return error.orig


@pytest.mark.parametrize("sql", MAINTENANCE_CALLS)
def test_runtime_role_cannot_run_retention_or_partition_functions(sql: str) -> None:
    with pytest.raises(DBAPIError) as error:
        run_as_runtime(None, sql)
    assert isinstance(cause(error.value), psycopg.errors.InsufficientPrivilege)
    assert "permission denied for function" in str(cause(error.value))


@pytest.mark.parametrize("sql", OLD_OVERLOADS)
def test_overloads_taking_a_clock_or_periods_are_dropped(sql: str) -> None:
    with pytest.raises(DBAPIError) as error:
        run_as_runtime(None, sql)
    assert isinstance(cause(error.value), psycopg.errors.UndefinedFunction)


def test_runtime_role_reads_retention_periods_but_cannot_change_them() -> None:
    with tenant_session(None) as session:
        days = dict(session.execute(text("SELECT table_name, days FROM retention_periods")).all())
    assert days["share_links"] == 90 and days["notifications"] == 180
    assert days["audit_logs"] == 365
    for sql in (
        "UPDATE retention_periods SET days = 1",
        "DELETE FROM retention_periods",
        "INSERT INTO retention_periods VALUES ('x', 1, 'y')",
    ):
        with pytest.raises(DBAPIError) as error:
            run_as_runtime(None, sql)
        assert isinstance(cause(error.value), psycopg.errors.InsufficientPrivilege)


@pytest.mark.parametrize(
    "column", ["type = 'admin'", "managed_by = NULL", "id = gen_random_uuid()"]
)
def test_runtime_role_cannot_change_a_tenants_identity_even_as_studio_admin(
    studio: Studio, column: str
) -> None:
    with pytest.raises(DBAPIError) as error:
        run_as_runtime(
            studio.admin_ctx,
            f"UPDATE tenants SET {column} WHERE id = :id",
            id=studio.agency.id,
        )
    assert isinstance(cause(error.value), psycopg.errors.InsufficientPrivilege)
    assert "cannot be changed" in str(cause(error.value))


@pytest.mark.parametrize("scoped", [False, True])
def test_runtime_role_edits_tenants_only_within_the_admin_scope(
    studio: Studio, scoped: bool
) -> None:
    outside = (None, studio.member_ctx, ctx(studio.studio, studio.admin))
    for context in outside:
        with pytest.raises(DBAPIError) as error:
            run_as_runtime(
                context, "UPDATE tenants SET name = 'Renamed' WHERE id = :id", id=studio.agency.id
            )
        assert isinstance(cause(error.value), psycopg.errors.InsufficientPrivilege)
        assert "within the admin scope" in str(cause(error.value))
    if scoped:
        result = run_as_runtime(
            studio.admin_ctx,
            "UPDATE tenants SET name = :name, status = 'inactive' WHERE id = :id",
            name=f"Renamed {uuid.uuid4().hex[:6]}",
            id=studio.agency.id,
        )
        assert result.rowcount == 1


def test_admin_scope_needs_an_active_admin_of_the_admin_tenant(studio: Studio) -> None:
    tenant, agency = studio.studio, studio.agency
    retired = make_user(tenant=tenant, role="admin", status="deactivated")
    count = "SELECT count(*) FROM projects WHERE tenant_id = :id"
    seen = {
        "no user": run_as_runtime(
            TenantContext(tenant_id=tenant.id, admin_scope=True), count, id=agency.id
        ).scalar_one(),
        "another tenant's user": run_as_runtime(
            ctx(tenant, studio.member, admin_scope=True), count, id=agency.id
        ).scalar_one(),
        "deactivated admin": run_as_runtime(
            ctx(tenant, retired, admin_scope=True), count, id=agency.id
        ).scalar_one(),
        "active admin": run_as_runtime(studio.admin_ctx, count, id=agency.id).scalar_one(),
    }
    assert seen == {
        "no user": 0,
        "another tenant's user": 0,
        "deactivated admin": 0,
        "active admin": 1,
    }


def test_audit_rows_written_directly_take_the_sessions_user_as_actor() -> None:
    g = make_graph()
    other = make_user(tenant=g.tenant)
    entity = uuid.uuid4()
    run_as_runtime(
        ctx(g.tenant, g.user),
        "INSERT INTO audit_logs (tenant_id, actor_id, action, entity_type, entity_id)"
        " VALUES (:t, :someone, 'insert', 'projects', :e)",
        t=g.tenant.id,
        someone=other.id,
        e=entity,
    )
    run_as_runtime(
        ctx(g.tenant),
        "INSERT INTO audit_logs (tenant_id, actor_id, action, entity_type, entity_id)"
        " VALUES (:t, :someone, 'update', 'projects', :e)",
        t=g.tenant.id,
        someone=other.id,
        e=entity,
    )
    with tenant_session(ctx(g.tenant)) as session:
        actors = session.execute(
            text("SELECT action, actor_id FROM audit_logs WHERE entity_id = :e ORDER BY action"),
            {"e": entity},
        ).all()
    assert [(a, actor) for a, actor in actors] == [("insert", g.user.id), ("update", None)]


@pytest.mark.parametrize("age", [timedelta(days=400), timedelta(days=-1), timedelta(seconds=1)])
def test_runtime_role_cannot_date_audit_rows(age: timedelta) -> None:
    g = make_graph()
    with pytest.raises(DBAPIError) as error:
        run_as_runtime(
            ctx(g.tenant, g.user),
            "INSERT INTO audit_logs (tenant_id, action, entity_type, entity_id, created_at)"
            " VALUES (:t, 'insert', 'projects', :e, :at)",
            t=g.tenant.id,
            e=uuid.uuid4(),
            at=datetime.now(UTC) - age,
        )
    assert isinstance(cause(error.value), psycopg.errors.InsufficientPrivilege)
    assert "dated by the database" in str(cause(error.value))
