"""Retention (migration 0017): every table's period, exact boundaries, the database's clock, chain
anchors, and audit rows left in the DEFAULT partition.

Exact boundaries use the owner-only `…_as_of` functions with clocks in the past, so these runs
never purge anything a real-time run would keep; the jobs themselves use the database's now().
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb
from sqlmodel import SQLModel

from portal.db import tenant_session
from portal.jobs import periodic
from portal.models import (
    AuthToken,
    LoginAttempt,
    Notification,
    OutboxEmail,
    Project,
    UserSession,
)
from portal.services.accounts.passwords import new_token, token_hash
from portal.services.compliance import retention as maintenance
from portal.services.compliance.audit_chain import verify_chains
from tests.factories import ctx, make_graph, make_tenant
from tests.jobs.test_periodic import add_link, runs, status_of

pytestmark = pytest.mark.usefixtures("database")
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def tick_of(clock: datetime) -> int:
    return int(clock.timestamp())


def add_notes(graph, ages: dict[str, timedelta], clock: datetime) -> dict[str, Notification]:
    with tenant_session(ctx(graph.tenant)) as session:
        notes = {
            name: Notification(
                tenant_id=graph.tenant.id, user_id=graph.user.id, type=name, created_at=clock - age
            )
            for name, age in ages.items()
        }
        session.add_all(notes.values())
    return notes


def note_exists(graph, note: Notification) -> bool:
    with tenant_session(ctx(graph.tenant)) as session:
        return session.get(Notification, note.id) is not None


def test_share_links_and_notifications_purged_exactly_at_90_and_180_days() -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    gone = add_link(graph, clock - 90 * DAY - SECOND)
    kept = add_link(graph, clock - 90 * DAY + SECOND)
    notes = add_notes(graph, {"gone": 180 * DAY + SECOND, "kept": 180 * DAY - SECOND}, clock)
    counts = maintenance.purge_retention(now=clock)
    assert status_of(graph, gone) is None and status_of(graph, kept) == "expired"
    assert not note_exists(graph, notes["gone"]) and note_exists(graph, notes["kept"])
    assert counts["share_links"] >= 1 and counts["notifications"] >= 1


def test_expired_tokens_and_sessions_purged_exactly_at_30_and_90_days() -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    rows = {}
    with tenant_session(ctx(graph.tenant)) as session:
        for name, model, age in (
            ("old token", AuthToken, 30 * DAY + SECOND),
            ("young token", AuthToken, 30 * DAY - SECOND),
            ("old session", UserSession, 90 * DAY + SECOND),
            ("young session", UserSession, 90 * DAY - SECOND),
        ):
            extra = {"purpose": "magic_link"} if model is AuthToken else {}
            rows[name] = model(
                tenant_id=graph.tenant.id,
                user_id=graph.user.id,
                token_hash=token_hash(new_token()),
                expires_at=clock - age,
                **extra,
            )
        session.add_all(rows.values())
    counts = maintenance.purge_retention(now=clock)
    with tenant_session(ctx(graph.tenant)) as session:
        left = {name for name, row in rows.items() if session.get(type(row), row.id)}
    assert left == {"young token", "young session"}
    assert counts["auth_tokens"] >= 1 and counts["user_sessions"] >= 1


def global_rows(owner_conn, table: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = owner_conn.execute(f"SELECT id FROM {table} WHERE id = ANY(%s)", (ids,)).fetchall()
    return {r[0] for r in rows}


def test_tables_without_a_tenant_are_purged_exactly_at_their_periods(owner_conn) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    key = "a" * 64
    with tenant_session(None) as session:
        attempts = {
            age: LoginAttempt(
                kind="login", key_hash=key, scope="ip", succeeded=False, created_at=clock - age
            )
            for age in (30 * DAY + SECOND, 30 * DAY - SECOND)
        }
        mails = {
            age: OutboxEmail(
                to_address="a@example.test",
                subject="s",
                text_body="t",
                html_body="h",
                created_at=clock - age,
            )
            for age in (7 * DAY + SECOND, 7 * DAY - SECOND)
        }
        session.add_all([*attempts.values(), *mails.values()])
    job = f"retention-probe-{uuid.uuid4().hex[:8]}"
    other_job = f"{job}-b"
    run_ages = [(job, 95 * DAY), (job, 91 * DAY), (other_job, 90 * DAY - SECOND)]
    run_ids = [uuid.uuid4() for _ in run_ages]
    for run_id, (name, age) in zip(run_ids, run_ages, strict=True):
        owner_conn.execute(
            "INSERT INTO job_runs (id, job_name, started_at, result)"
            " VALUES (%s, %s, %s, 'succeeded')",
            (run_id, name, clock - age),
        )
    event_rows = [
        ("processed", 30 * DAY + SECOND),
        ("failed", 40 * DAY),
        ("dead", 30 * DAY - SECOND),
    ]
    event_ids = [uuid.uuid4() for _ in event_rows]
    for event_id, (status, age) in zip(event_ids, event_rows, strict=True):
        owner_conn.execute(
            "INSERT INTO webhook_events (id, source, event_id, payload, status, received_at)"
            " VALUES (%s, 'resend', %s, %s, %s, %s)",
            (event_id, f"evt-{event_id}", Jsonb({"to": "a@example.test"}), status, clock - age),
        )

    counts = maintenance.purge_retention(now=clock)

    old_attempt, new_attempt = attempts.values()
    assert global_rows(owner_conn, "login_attempts", [old_attempt.id, new_attempt.id]) == {
        new_attempt.id
    }
    old_mail, new_mail = mails.values()
    assert global_rows(owner_conn, "mail_outbox", [old_mail.id, new_mail.id]) == {new_mail.id}
    # The 95-day run goes; the 91-day one stays as its job's latest run.
    assert global_rows(owner_conn, "job_runs", run_ids) == set(run_ids[1:])
    # Processed past 30 days goes; an unfinished (failed) event stays whatever its age.
    assert global_rows(owner_conn, "webhook_events", event_ids) == set(event_ids[1:])
    assert all(counts[t] >= 1 for t in ("login_attempts", "mail_outbox", "job_runs"))
    assert counts["webhook_events"] >= 1


def test_the_job_purges_by_the_databases_clock_whatever_its_tick() -> None:
    graph = make_graph()
    now = datetime.now(UTC)
    old = add_link(graph, now - 91 * DAY)
    young = add_link(graph, now - 89 * DAY)
    notes = add_notes(graph, {"young": 179 * DAY}, now)
    far_future = tick_of(now + timedelta(days=365 * 100))
    periodic.retention_purge(timestamp=far_future)
    assert status_of(graph, old) is None and status_of(graph, young) == "expired"
    assert note_exists(graph, notes["young"])
    [run] = runs("retention_purge", far_future)
    assert run.result == "succeeded" and set(maintenance.PURGED_TABLES) <= set(run.meta)


def month_start(months_back: int) -> datetime:
    """The first instant of the month `months_back` months ago (UTC; negative: ahead)."""
    year, month = divmod(
        datetime.now(UTC).year * 12 + datetime.now(UTC).month - 1 - months_back, 12
    )
    return datetime(year, month + 1, 1, tzinfo=UTC)


def insert_audit_as_owner(owner_conn, tenant_id: uuid.UUID, at: datetime) -> None:
    """An audit row dated `at`, written as the owner (the runtime role may not date rows)."""
    with owner_conn.transaction():
        owner_conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
        owner_conn.execute(
            "INSERT INTO audit_logs (tenant_id, action, entity_type, entity_id, created_at)"
            " VALUES (%s, 'insert', 'projects', %s, %s)",
            (tenant_id, uuid.uuid4(), at),
        )


def anchor_of(owner_conn, tenant_id: uuid.UUID):
    return owner_conn.execute(
        "SELECT anchor_seq, anchor_at FROM audit_chain_heads WHERE tenant_id = %s", (tenant_id,)
    ).fetchone()


def test_audit_partition_dropped_exactly_365_days_after_its_month_and_chain_anchored(
    owner_conn,
) -> None:
    start, end = month_start(14), month_start(13)
    part = f"audit_logs_y{start:%Y}m{start:%m}"
    owner_conn.execute("SELECT audit_create_partition(%s)", (start.date(),))
    tenant = make_tenant()
    for day in (1, 2):
        insert_audit_as_owner(owner_conn, tenant.id, start + timedelta(days=day))
    with tenant_session(ctx(tenant)) as session:
        session.add(Project(tenant_id=tenant.id, client_name="C", title="Now"))

    kept = maintenance.maintain_audit_partitions(now=end + 365 * DAY - SECOND)
    assert part not in kept["dropped"]
    gone = maintenance.maintain_audit_partitions(now=end + 365 * DAY + SECOND)
    assert part in gone["dropped"]

    [report] = verify_chains([tenant.id])
    assert report.intact and report.rows == 1 and report.head_seq == 3
    assert anchor_of(owner_conn, tenant.id) == (2, start + 2 * DAY)


def test_old_audit_rows_in_the_default_partition_age_out_like_any_other(owner_conn) -> None:
    start = month_start(20)
    part = f"audit_logs_y{start:%Y}m{start:%m}"
    tenant = make_tenant()
    insert_audit_as_owner(owner_conn, tenant.id, start + 3 * DAY)
    in_default = "SELECT count(*) FROM audit_logs_default WHERE tenant_id = %s"
    assert owner_conn.execute(in_default, (tenant.id,)).fetchone() == (1,)
    with tenant_session(ctx(tenant)) as session:
        session.add(Project(tenant_id=tenant.id, client_name="C", title="Now"))

    tick = tick_of(datetime.now(UTC))
    periodic.audit_partitions(timestamp=tick)
    [run] = runs("audit_partitions", tick)
    assert part in run.meta["created"] and part in run.meta["dropped"]
    assert owner_conn.execute(in_default, (tenant.id,)).fetchone() == (0,)
    [report] = verify_chains([tenant.id])
    assert report.intact and report.rows == 1 and report.head_seq == 2
    assert anchor_of(owner_conn, tenant.id) == (1, start + 3 * DAY)


def test_rows_waiting_in_the_default_partition_move_into_their_month(owner_conn) -> None:
    start = month_start(-6)
    part = f"audit_logs_y{start:%Y}m{start:%m}"
    tenant = make_tenant()
    insert_audit_as_owner(owner_conn, tenant.id, start + 5 * DAY)
    assert owner_conn.execute(
        "SELECT audit_create_partition(%s)", (date(start.year, start.month, 9),)
    ).fetchone() == (part,)
    moved = owner_conn.execute(
        f"SELECT count(*) FROM {part} WHERE tenant_id = %s", (tenant.id,)
    ).fetchone()
    left = owner_conn.execute(
        "SELECT count(*) FROM audit_logs_default WHERE tenant_id = %s", (tenant.id,)
    ).fetchone()
    assert (moved, left) == ((1,), (0,))
    [report] = verify_chains([tenant.id])
    assert report.intact and report.rows == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        owner_conn.execute(f"DELETE FROM {part}")


# --- Tables added since 0017 (migration 0029) -------------------------------------------------


def _as_tenant(conn, tenant_id: uuid.UUID, sql: str, params: tuple) -> None:
    with conn.transaction():
        conn.execute("SELECT set_config('app.tenant_id', %s, true)", (str(tenant_id),))
        conn.execute(sql, params)


def add_api_token(conn, graph, *, expires_at=None, revoked_at=None) -> uuid.UUID:
    token_id = uuid.uuid4()
    _as_tenant(
        conn,
        graph.tenant.id,
        "INSERT INTO api_tokens (id, tenant_id, user_id, name, token_hash, prefix, scopes,"
        " expires_at, revoked_at) VALUES (%s, %s, %s, 't', %s, 'mmp_abcd', '{}', %s, %s)",
        (token_id, graph.tenant.id, graph.user.id, token_hash(new_token()), expires_at, revoked_at),
    )
    return token_id


def test_api_tokens_keys_and_rate_windows_purged_exactly_at_their_periods(superuser_conn) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    old, young = 30 * DAY + SECOND, 30 * DAY - SECOND
    tokens = {
        "revoked long ago": add_api_token(superuser_conn, graph, revoked_at=clock - old),
        "revoked lately": add_api_token(superuser_conn, graph, revoked_at=clock - young),
        "expired long ago": add_api_token(superuser_conn, graph, expires_at=clock - old),
        "expired lately": add_api_token(superuser_conn, graph, expires_at=clock - young),
        # Revocation counts, not an expiry far ahead.
        "revoked, would expire later": add_api_token(
            superuser_conn, graph, revoked_at=clock - old, expires_at=clock + 300 * DAY
        ),
        "never expires": add_api_token(superuser_conn, graph),
    }
    live = tokens["never expires"]
    for key, age in (("old", DAY + SECOND), ("young", DAY - SECOND)):
        _as_tenant(
            superuser_conn,
            graph.tenant.id,
            "INSERT INTO api_idempotency_keys (tenant_id, token_id, key, request_hash, created_at)"
            " VALUES (%s, %s, %s, 'h', %s)",
            (graph.tenant.id, live, key, clock - age),
        )
    # Rate windows (one row per token): an old window on a live token goes, a young one stays.
    for token, age in ((live, DAY + SECOND), (tokens["expired lately"], DAY - SECOND)):
        superuser_conn.execute(
            "INSERT INTO api_rate_counters (token_id, window_start, calls) VALUES (%s, %s, 1)",
            (token, clock - age),
        )

    counts = maintenance.purge_retention(now=clock)

    left = global_rows(superuser_conn, "api_tokens", list(tokens.values()))
    assert {name for name, tid in tokens.items() if tid in left} == {
        "revoked lately",
        "expired lately",
        "never expires",
    }
    keys = superuser_conn.execute(
        "SELECT key FROM api_idempotency_keys WHERE token_id = %s", (live,)
    ).fetchall()
    assert [k for (k,) in keys] == ["young"]
    windows = superuser_conn.execute(
        "SELECT token_id FROM api_rate_counters WHERE token_id = ANY(%s)",
        ([live, tokens["expired lately"]],),
    ).fetchall()
    assert [t for (t,) in windows] == [tokens["expired lately"]]
    assert counts["api_tokens"] >= 3 and counts["api_idempotency_keys"] >= 1
    assert counts["api_rate_counters"] >= 1


def test_a_dead_tokens_keys_and_window_go_with_it(superuser_conn) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    token = add_api_token(superuser_conn, graph, revoked_at=clock - 31 * DAY)
    _as_tenant(
        superuser_conn,
        graph.tenant.id,
        "INSERT INTO api_idempotency_keys (tenant_id, token_id, key, request_hash, created_at)"
        " VALUES (%s, %s, 'k', 'h', %s)",
        (graph.tenant.id, token, clock),
    )
    superuser_conn.execute(
        "INSERT INTO api_rate_counters (token_id, window_start, calls) VALUES (%s, %s, 1)",
        (token, clock),
    )
    maintenance.purge_retention(now=clock)
    for table in ("api_idempotency_keys", "api_rate_counters"):
        sql = f"SELECT count(*) FROM {table} WHERE token_id = %s"
        assert superuser_conn.execute(sql, (token,)).fetchone() == (0,)


def add_upload_request(conn, graph, expires_at: datetime) -> uuid.UUID:
    request_id = uuid.uuid4()
    _as_tenant(
        conn,
        graph.tenant.id,
        "INSERT INTO upload_requests (id, tenant_id, project_id, name, hashed_token, kinds,"
        " max_file_bytes, max_files, expires_at)"
        " VALUES (%s, %s, %s, 'r', %s, '{video}', 100, 1, %s)",
        (request_id, graph.tenant.id, graph.project.id, token_hash(new_token()), expires_at),
    )
    return request_id


def test_upload_requests_purged_exactly_90_days_after_expiry_client_files_kept(
    superuser_conn,
) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    gone = add_upload_request(superuser_conn, graph, clock - 90 * DAY - SECOND)
    kept = add_upload_request(superuser_conn, graph, clock - 90 * DAY + SECOND)
    file_id = uuid.uuid4()
    _as_tenant(
        superuser_conn,
        graph.tenant.id,
        "INSERT INTO client_files (id, tenant_id, project_id, upload_request_id, sender_name,"
        " sender_email, filename, kind, size_bytes, sha256)"
        " VALUES (%s, %s, %s, %s, 'C', 'c@example.test', 'a.mp4', 'video', 1, %s)",
        (file_id, graph.tenant.id, graph.project.id, gone, "b" * 64),
    )

    counts = maintenance.purge_retention(now=clock)

    assert global_rows(superuser_conn, "upload_requests", [gone, kept]) == {kept}
    # The file stays (the tenant's client-file retention governs it), detached from its link.
    row = superuser_conn.execute(
        "SELECT upload_request_id FROM client_files WHERE id = %s", (file_id,)
    ).fetchone()
    assert row == (None,)
    assert counts["upload_requests"] >= 1


def test_webhook_deliveries_purged_exactly_30_days_after_once_finished(superuser_conn) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    endpoint = uuid.uuid4()
    _as_tenant(
        superuser_conn,
        graph.tenant.id,
        "INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret)"
        " VALUES (%s, %s, 'https://hooks.example.test/x', '{asset.ready}', 's')",
        (endpoint, graph.tenant.id),
    )
    rows = {
        "succeeded old": ("succeeded", 30 * DAY + SECOND),
        "succeeded young": ("succeeded", 30 * DAY - SECOND),
        "dead old": ("dead", 30 * DAY + SECOND),
        "failed old": ("failed", 40 * DAY),
        "pending old": ("pending", 40 * DAY),
    }
    ids = {name: uuid.uuid4() for name in rows}
    for name, (status, age) in rows.items():
        _as_tenant(
            superuser_conn,
            graph.tenant.id,
            "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload,"
            " status, created_at) VALUES (%s, %s, %s, 'asset.ready', '{}', %s, %s)",
            (ids[name], graph.tenant.id, endpoint, status, clock - age),
        )

    counts = maintenance.purge_retention(now=clock)

    left = global_rows(superuser_conn, "webhook_deliveries", list(ids.values()))
    assert {name for name, i in ids.items() if i in left} == {
        "succeeded young",
        "failed old",
        "pending old",
    }
    assert global_rows(superuser_conn, "webhook_endpoints", [endpoint]) == {endpoint}
    assert counts["webhook_deliveries"] >= 2


def test_share_decisions_and_contacts_go_with_their_share_link(superuser_conn) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    graph = make_graph()
    link = add_link(graph, clock - 90 * DAY - SECOND)
    tenant = graph.tenant.id
    _as_tenant(
        superuser_conn,
        tenant,
        "INSERT INTO share_decisions (tenant_id, share_link_id, asset_id, name, email, decision,"
        " request_key) VALUES (%s, %s, %s, 'C', 'c@example.test', 'approved', %s)",
        (tenant, link.id, graph.asset.id, uuid.uuid4()),
    )
    _as_tenant(
        superuser_conn,
        tenant,
        "INSERT INTO share_link_contacts (tenant_id, share_link_id, email)"
        " VALUES (%s, %s, 'c@example.test')",
        (tenant, link.id),
    )
    maintenance.purge_retention(now=clock)
    for table in ("share_decisions", "share_link_contacts"):
        sql = f"SELECT count(*) FROM {table} WHERE share_link_id = %s"
        assert superuser_conn.execute(sql, (link.id,)).fetchone() == (0,)


def retention_doc_tables() -> set[str]:
    """Every table named in the first column of docs/compliance.md's retention table."""
    doc = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text()
    section = doc.split("## Retention (every table", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| table"):
            first = line.split("|")[1]
            names.update(re.findall(r"[a-z_]+", first.split("(")[0]))
    return names


def test_every_table_has_a_documented_retention_rule(owner_conn) -> None:
    import portal.models  # noqa: F401  (every model registers its table)

    tables = set(SQLModel.metadata.tables)
    # Tables made by migrations only (no model): every one in the public schema.
    tables |= {
        name
        for (name,) in owner_conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            " AND c.relname <> 'alembic_version'"
        )
    }
    assert tables - retention_doc_tables() == set()
    # And every period the database enforces is documented.
    periods = {n for (n,) in owner_conn.execute("SELECT table_name FROM retention_periods")}
    assert periods <= retention_doc_tables()


def test_finished_queue_jobs_purged_exactly_30_days_after_their_last_event(owner_conn) -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - 3 * DAY
    probes = {
        "succeeded old": ("succeeded", 30 * DAY + SECOND),
        "succeeded young": ("succeeded", 30 * DAY - SECOND),
        "failed old": ("failed", 30 * DAY + SECOND),
        "cancelled old": ("cancelled", 30 * DAY + SECOND),
        "todo old": ("todo", 40 * DAY),
        "doing old": ("doing", 40 * DAY),
    }
    ids = {}
    for name, (status, age) in probes.items():
        (job_id,) = owner_conn.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, status)"
            " VALUES ('retention-probe', 'probe', %s) RETURNING id",
            (status,),
        ).fetchone()
        owner_conn.execute("DELETE FROM procrastinate_events WHERE job_id = %s", (job_id,))
        # The last event counts, not the first.
        owner_conn.execute(
            "INSERT INTO procrastinate_events (job_id, type, at)"
            " VALUES (%s, 'deferred', %s), (%s, 'started', %s)",
            (job_id, clock - age - DAY, job_id, clock - age),
        )
        ids[name] = job_id
    defer_ts = int(clock.timestamp()) + uuid.uuid4().int % 1_000_000
    owner_conn.execute(
        "INSERT INTO procrastinate_periodic_defers (task_name, defer_timestamp, job_id)"
        " VALUES ('retention-probe', %s, %s)",
        (defer_ts, ids["succeeded old"]),
    )

    counts = maintenance.purge_retention(now=clock)

    left = {
        job_id
        for (job_id,) in owner_conn.execute(
            "SELECT id FROM procrastinate_jobs WHERE id = ANY(%s)", (list(ids.values()),)
        )
    }
    assert {name for name, i in ids.items() if i in left} == {
        "succeeded young",
        "todo old",
        "doing old",
    }
    gone = [ids["succeeded old"], ids["failed old"], ids["cancelled old"]]
    sql = "SELECT count(*) FROM procrastinate_events WHERE job_id = ANY(%s)"
    assert owner_conn.execute(sql, (gone,)).fetchone() == (0,)
    sql = "SELECT job_id FROM procrastinate_periodic_defers WHERE defer_timestamp = %s"
    assert owner_conn.execute(sql, (defer_ts,)).fetchone() == (None,)
    assert counts["procrastinate_jobs"] >= 3
