"""Constraints, database rules (is_overdue, share-link status) and the append-only audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from portal.db import tenant_session
from portal.models import AuditLog, Project, ShareLink, Task
from portal.services.core.errors import Conflict
from portal.services.media.assets import create_asset_version
from portal.services.operations.webhooks import ingest_webhook_event
from portal.services.projects.projects import create_milestone
from tests.factories import ctx, make_graph

pytestmark = pytest.mark.usefixtures("database")


def test_duplicate_milestone_title_is_a_clear_conflict() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        with pytest.raises(Conflict, match="milestone with this title already exists"):
            create_milestone(session=session, project_id=g.project.id, title=g.milestone.title)
        # The transaction is still usable: nothing half-written, later work commits.
        create_milestone(session=session, project_id=g.project.id, title="Grade")
    with tenant_session(ctx(g.tenant)) as session:
        titles = session.scalars(
            text("SELECT title FROM milestones WHERE project_id = :p"), {"p": g.project.id}
        ).all()
    assert sorted(titles) == ["Edit", "Grade"]


def test_duplicate_asset_version_is_a_clear_conflict() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        with pytest.raises(Conflict, match="version number already exists"):
            create_asset_version(session=session, project_id=g.project.id, title="Cut", version=1)
        nxt = create_asset_version(session=session, project_id=g.project.id, title="Cut")
    assert nxt.version == 2


def test_duplicate_webhook_event_is_acknowledged_once(owner_conn) -> None:
    g = make_graph()
    event = f"evt-{g.tenant.id}"
    assert ingest_webhook_event(source="mux", event_id=event, payload={"a": 1})
    assert not ingest_webhook_event(source="mux", event_id=event, payload={"a": 2})
    # Same id from another source is a different event.
    assert ingest_webhook_event(source="resend", event_id=event, payload={})
    with pytest.raises(psycopg.errors.UniqueViolation, match="uq_webhook_events_source_event"):
        owner_conn.execute(
            "INSERT INTO webhook_events (source, event_id, payload) VALUES ('mux', %s, '{}')",
            (event,),
        )
    count = owner_conn.execute(
        "SELECT count(*), min(payload->>'a') FROM webhook_events "
        "WHERE event_id = %s AND source = 'mux'",
        (event,),
    ).fetchone()
    assert count == (1, "1")


@pytest.mark.parametrize(
    ("status", "due_offset", "expected"),
    [
        ("pending", -1, True),
        ("in_review", -30, True),
        ("pending", 0, False),
        ("in_progress", 1, False),
        ("completed", -1, False),
        ("pending", None, False),
    ],
)
def test_is_overdue(status: str, due_offset: int | None, expected: bool) -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant)) as session:
        today = session.scalar(text("SELECT app_today()"))
        due = today + timedelta(days=due_offset) if due_offset is not None else None
        session.execute(
            update(Task)
            .where(Task.id == g.task.id)
            .values(
                status=status,
                due_date=due,
                completed_at=datetime.now(UTC) if status == "completed" else None,
            )
        )
        sql_value = session.scalar(
            text("SELECT t.is_overdue FROM tasks t WHERE t.id = :id"), {"id": g.task.id}
        )
        orm_value = session.scalar(select(Task.is_overdue).where(Task.id == g.task.id))
    assert sql_value is expected
    assert orm_value is expected


def test_completed_at_must_match_status() -> None:
    g = make_graph()
    with pytest.raises(DBAPIError, match="ck_tasks_completed_at"):
        with tenant_session(ctx(g.tenant)) as session:
            session.execute(update(Task).where(Task.id == g.task.id).values(status="completed"))


def test_share_link_expires_by_rule() -> None:
    g = make_graph()
    past = datetime.now(UTC) - timedelta(minutes=1)
    with tenant_session(ctx(g.tenant)) as session:
        # Written with a past expiry: the trigger stores it as expired.
        session.execute(
            update(ShareLink).where(ShareLink.id == g.share_link.id).values(expires_at=past)
        )
        assert session.get(ShareLink, g.share_link.id, populate_existing=True).status == "expired"


def test_share_link_effective_status_and_sweep(owner_conn) -> None:
    g = make_graph()
    # Time passes without a write: simulate by moving expiry back with the trigger disabled.
    with owner_conn.transaction():
        owner_conn.execute("ALTER TABLE share_links DISABLE TRIGGER share_links_status")
        owner_conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(g.tenant.id),))
        owner_conn.execute(
            "UPDATE share_links SET expires_at = now() - interval '1 hour' WHERE id = %s",
            (g.share_link.id,),
        )
        owner_conn.execute("ALTER TABLE share_links ENABLE TRIGGER share_links_status")
    with tenant_session(ctx(g.tenant)) as session:
        row = session.execute(
            text("SELECT s.status, s.effective_status FROM share_links s WHERE id = :id"),
            {"id": g.share_link.id},
        ).one()
        assert tuple(row) == ("active", "expired")
        assert session.scalar(text("SELECT expire_share_links()")) == 1
        assert (
            session.scalar(
                text("SELECT status FROM share_links WHERE id = :id"), {"id": g.share_link.id}
            )
            == "expired"
        )


def test_view_limit_is_never_exceeded_and_exhausts() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant)) as session:
        session.execute(
            update(ShareLink).where(ShareLink.id == g.share_link.id).values(view_limit=2)
        )
        counted = [
            session.execute(
                text(
                    "UPDATE share_links SET view_count = view_count + 1 WHERE id = :id "
                    "AND status = 'active' AND (view_limit IS NULL OR view_count < view_limit) "
                    "RETURNING view_count"
                ),
                {"id": g.share_link.id},
            ).scalar()
            for _ in range(3)
        ]
        status = session.scalar(
            text("SELECT status FROM share_links WHERE id = :id"), {"id": g.share_link.id}
        )
    assert counted == [1, 2, None]
    assert status == "exhausted"


def test_audit_rows_record_before_after_and_actor() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        session.execute(update(Project).where(Project.id == g.project.id).values(status="on_hold"))
        session.execute(text("DELETE FROM share_links WHERE id = :id"), {"id": g.share_link.id})
    with tenant_session(ctx(g.tenant)) as session:
        rows = session.scalars(
            select(AuditLog)
            .where(AuditLog.entity_id.in_([g.project.id, g.share_link.id]))
            .order_by(AuditLog.created_at, AuditLog.id)
        ).all()
    by_action = {(r.entity_type, r.action): r for r in rows}
    insert = by_action[("projects", "insert")]
    assert insert.before is None and insert.after["title"] == g.project.title
    change = by_action[("projects", "update")]
    assert change.before["status"] == "active" and change.after["status"] == "on_hold"
    assert change.actor_id == g.user.id
    removed = by_action[("share_links", "delete")]
    assert removed.after is None and removed.before["id"] == str(g.share_link.id)
    # Secrets never land in the audit log, not even hashed.
    assert "hashed_token" not in removed.before and "passcode_hash" not in removed.before
    assert removed.before["passcode_set"] is False


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_logs SET action = 'delete'",
        "DELETE FROM audit_logs",
        "TRUNCATE audit_logs",
    ],
)
@pytest.mark.parametrize("who", ["owner_conn", "superuser_conn"])
def test_audit_log_cannot_be_changed_even_by_owner(request, who: str, statement: str) -> None:
    conn = request.getfixturevalue(who)
    g = make_graph()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(g.tenant.id),))
            conn.execute(statement)
    with conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(g.tenant.id),))
        assert (
            conn.execute(
                "SELECT count(*) FROM audit_logs WHERE tenant_id = %s", (g.tenant.id,)
            ).fetchone()[0]
            > 0
        )


@pytest.mark.parametrize("verb", ["TRUNCATE {}", "DELETE FROM {}", "UPDATE {} SET action = 'x'"])
def test_audit_partitions_cannot_be_changed_directly(superuser_conn, verb: str) -> None:
    make_graph()
    part = superuser_conn.execute(
        "SELECT audit_create_partition((now() AT TIME ZONE 'UTC')::date)"
    ).fetchone()[0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        superuser_conn.execute(verb.format(part))


def test_audit_log_refuses_update_and_delete_for_runtime_role() -> None:
    g = make_graph()
    for statement in ("UPDATE audit_logs SET action = 'delete'", "DELETE FROM audit_logs"):
        with pytest.raises(DBAPIError, match="permission denied"):
            with tenant_session(ctx(g.tenant)) as session:
                session.execute(text(statement))


def test_audit_rows_land_in_monthly_partitions(owner_conn) -> None:
    parts = {
        r[0]
        for r in owner_conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_logs'::regclass"
        ).fetchall()
    }
    this_month = date.today().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    assert f"audit_logs_y{this_month:%Y}m{this_month:%m}" in parts
    assert f"audit_logs_y{next_month:%Y}m{next_month:%m}" in parts
    g = make_graph()
    with owner_conn.transaction():
        owner_conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(g.tenant.id),))
        where = owner_conn.execute(
            "SELECT DISTINCT tableoid::regclass::text FROM audit_logs WHERE tenant_id = %s",
            (g.tenant.id,),
        ).fetchall()
    assert where == [(f"audit_logs_y{this_month:%Y}m{this_month:%m}",)]


def test_comment_parent_must_exist_in_tenant() -> None:
    a, b = make_graph(), make_graph()
    with pytest.raises(DBAPIError, match="not found in this tenant"):
        with tenant_session(ctx(a.tenant)) as session:
            session.execute(
                text(
                    "INSERT INTO comments (tenant_id, parent_type, parent_id, body) "
                    "VALUES (:t, 'asset', :p, 'x')"
                ),
                {"t": a.tenant.id, "p": b.asset.id},
            )


def test_uuid_v7_keys_from_database_default(owner_conn) -> None:
    value = owner_conn.execute("SELECT uuid_generate_v7()").fetchone()[0]
    assert value.version == 7
    g = make_graph()
    assert g.project.id.version == 7
