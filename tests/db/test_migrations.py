"""Migrations build the whole schema on an empty database and remove it cleanly."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest

from portal.cli import downgrade, migrate
from portal.settings import ROOT
from tests.conftest import ScratchDatabase, libpq_to_sqlalchemy

SEED_TABLES = {
    "tenants",
    "users",
    "projects",
    "milestones",
    "tasks",
    "assets",
    "share_links",
    "comments",
    "notifications",
    "audit_logs",
    "residency_evidence",
    "webhook_events",
    "job_runs",
}


def public_objects(conninfo: str) -> dict[str, set[str]]:
    with psycopg.connect(conninfo) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                "AND relkind IN ('r', 'p', 'v')"
            ).fetchall()
        }
        functions = {
            r[0]
            for r in conn.execute(
                "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
            ).fetchall()
        }
    return {"tables": tables, "functions": functions}


def test_up_down_up_on_an_empty_database(empty_database: ScratchDatabase) -> None:
    url = empty_database.owner_url
    migrate(url)
    built = public_objects(empty_database.owner_conninfo)
    assert SEED_TABLES <= built["tables"]
    assert {"is_overdue", "uuid_generate_v7", "app_tenant_scope"} <= built["functions"]

    downgrade(url)
    after_down = public_objects(empty_database.owner_conninfo)
    assert after_down["tables"] == {"alembic_version"}
    assert after_down["functions"] == set()

    migrate(url)
    assert public_objects(empty_database.owner_conninfo) == built


def test_alembic_command_line_from_repo_root(empty_database: ScratchDatabase) -> None:
    env = {**os.environ, "DATABASE_URL": empty_database.owner_url}
    alembic = [sys.executable, "-m", "alembic"]
    up = subprocess.run(
        [*alembic, "upgrade", "head"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert up.returncode == 0, up.stderr
    assert SEED_TABLES <= public_objects(empty_database.owner_conninfo)["tables"]
    down = subprocess.run(
        [*alembic, "downgrade", "base"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert down.returncode == 0, down.stderr
    assert public_objects(empty_database.owner_conninfo)["tables"] == {"alembic_version"}


@pytest.mark.usefixtures("database")
def test_seed_indexes_and_constraints_exist(owner_conn) -> None:
    indexes = {
        r[0]: r[1]
        for r in owner_conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        ).fetchall()
    }
    assert "(tenant_id, status)" in indexes["idx_projects_tenant_status"]
    assert "(project_id, due_date)" in indexes["idx_milestones_project_due"]
    assert "WHERE" in indexes["idx_tasks_pending_due"]
    assert "gin (metadata" in indexes["idx_comments_metadata"]
    assert "gin (body_tsv)" in indexes["idx_comment_search_tsv"]
    assert "WHERE (read_at IS NULL)" in indexes["idx_notifications_unread"]
    assert "(expires_at)" in indexes["idx_share_links_expires_at"]
    assert "idx_audit_logs_entity_type" in indexes and "idx_audit_logs_entity_id" in indexes
    constraints = {
        r[0]
        for r in owner_conn.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'u'"
        ).fetchall()
    }
    assert {
        "uq_milestones_project_title",
        "uq_assets_project_version",
        "uq_share_links_hashed_token",
        "uq_webhook_events_source_event",
    } <= constraints
    timestamps = owner_conn.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
        "AND data_type = 'timestamp without time zone'"
    ).fetchone()
    assert timestamps == (0,)


def test_existing_audit_rows_are_chained_by_the_compliance_migration(
    empty_database: ScratchDatabase,
) -> None:
    """Rows written before 0009 are chained by the migration and verify afterwards."""
    from sqlalchemy import create_engine

    from portal.services.compliance.audit_chain import verify_tenant_chain

    url = empty_database.owner_url
    migrate(url, "0008")
    with psycopg.connect(empty_database.superuser_conninfo, autocommit=True) as conn:
        tenant = conn.execute(
            "INSERT INTO tenants (name, type) VALUES ('Old', 'agency') RETURNING id"
        ).fetchone()
        for title in ("A", "B", "C"):
            conn.execute(
                "INSERT INTO projects (tenant_id, client_name, title) VALUES (%s, 'C', %s)",
                (tenant[0], title),
            )
    migrate(url)
    engine = create_engine(libpq_to_sqlalchemy(empty_database.superuser_conninfo))
    try:
        with engine.connect() as conn:
            report = verify_tenant_chain(session=conn, tenant_id=tenant[0])
    finally:
        engine.dispose()
    assert report.intact and report.rows == 3 and report.head_seq == 3
