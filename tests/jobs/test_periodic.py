"""Periodic jobs: cross-tenant sweeps and purges, audit partitions, the ledger, once per tick."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from portal.db import tenant_session
from portal.jobs import periodic
from portal.models import JobRun, Notification, ShareLink
from portal.services.accounts.passwords import new_token, token_hash
from portal.settings import ROOT
from tests.factories import ctx, make_graph

pytestmark = pytest.mark.usefixtures("database")


def runs(job_name: str, tick: int) -> list[JobRun]:
    with tenant_session(None) as session:
        query = select(JobRun).where(
            JobRun.job_name == job_name, JobRun.meta["tick"].astext == str(tick)
        )
        return list(session.exec(query))


def add_link(graph, expires_at: datetime) -> ShareLink:
    with tenant_session(ctx(graph.tenant)) as session:
        link = ShareLink(
            tenant_id=graph.tenant.id,
            asset_id=graph.asset.id,
            hashed_token=token_hash(new_token()),
            expires_at=expires_at,
        )
        session.add(link)
    return link


def status_of(graph, link: ShareLink) -> str | None:
    with tenant_session(ctx(graph.tenant)) as session:
        row = session.get(ShareLink, link.id)
        return row.status if row else None


def let_expire(superuser_conn, link: ShareLink) -> None:
    """Move an active link's expiry into the past as time passing would: the row stays
    `active` (triggers off for this one write), exactly what the sweep is for."""
    superuser_conn.execute("SET session_replication_role = replica")
    try:
        superuser_conn.execute(
            "UPDATE share_links SET expires_at = now() - interval '1 minute' WHERE id = %s",
            (link.id,),
        )
    finally:
        superuser_conn.execute("RESET session_replication_role")


def test_share_link_expiry_sweep_covers_every_tenant(superuser_conn) -> None:
    a, b = make_graph(), make_graph()
    later = datetime.now(UTC) + timedelta(days=1)
    links = [(a, add_link(a, later)), (b, add_link(b, later))]
    for graph, link in links:
        let_expire(superuser_conn, link)
        assert status_of(graph, link) == "active"  # until the sweep runs
    tick = int(time.time())
    periodic.expire_share_links(timestamp=tick)
    assert [status_of(g, link) for g, link in links] == ["expired", "expired"]
    assert status_of(a, a.share_link) == "active"
    [run] = runs("expire_share_links", tick)
    assert run.result == "succeeded" and run.meta["expired"] >= 2 and run.completed_at


def test_retention_purges_old_links_and_notifications_only() -> None:
    graph = make_graph()
    old_link = add_link(graph, datetime.now(UTC) - timedelta(days=91))
    recent_link = add_link(graph, datetime.now(UTC) - timedelta(days=89))
    with tenant_session(ctx(graph.tenant)) as session:
        old_note = Notification(
            tenant_id=graph.tenant.id,
            user_id=graph.user.id,
            type="old",
            created_at=datetime.now(UTC) - timedelta(days=181),
        )
        session.add(old_note)
    tick = int(time.time())
    periodic.retention_purge(timestamp=tick)
    assert status_of(graph, old_link) is None
    assert status_of(graph, recent_link) == "expired"
    with tenant_session(ctx(graph.tenant)) as session:
        assert session.get(Notification, old_note.id) is None
        assert session.get(Notification, graph.notification.id) is not None
    [run] = runs("retention_purge", tick)
    assert run.meta["share_links"] >= 1 and run.meta["notifications"] >= 1


def month_partition(day: date) -> str:
    return f"audit_logs_y{day:%Y}m{day:%m}"


def test_audit_partitions_created_ahead_and_old_ones_dropped(owner_conn) -> None:
    old_month = (date.today().replace(day=1) - timedelta(days=400)).replace(day=1)
    owner_conn.execute("SELECT audit_create_partition(%s)", (old_month,))
    tick = int(time.time())
    periodic.audit_partitions(timestamp=tick)
    [run] = runs("audit_partitions", tick)
    assert month_partition(old_month) in run.meta["dropped"]
    ahead = (date.today().replace(day=1) + timedelta(days=62)).replace(day=1)
    existing = {
        r[0]
        for r in owner_conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_logs'::regclass"
        )
    }
    assert month_partition(ahead) in existing
    assert month_partition(old_month) not in existing
    assert month_partition(date.today()) in existing


def test_a_failing_job_is_ledgered_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_: object) -> int:
        raise RuntimeError("sweep broke")

    monkeypatch.setattr(periodic.maintenance, "expire_share_links_everywhere", broken)
    tick = int(time.time()) + 1_000_000
    with pytest.raises(RuntimeError):
        periodic.expire_share_links(timestamp=tick)
    [run] = runs("expire_share_links", tick)
    assert run.result == "failed" and run.meta["error"] == "RuntimeError: sweep broke"


def test_two_workers_started_together_run_one_tick_once() -> None:
    """Two worker processes (own app, own pool each) schedule the same every-second job;
    procrastinate's unique (task, periodic id, tick) row lets exactly one defer each tick.
    Each runs until four ticks are in the ledger (tick_probe), however slow the machine."""
    name = f"tick_probe_{time.time_ns()}"
    command = [sys.executable, "-m", "tests.jobs.tick_probe", name, "4"]
    workers = [subprocess.Popen(command, cwd=ROOT) for _ in range(2)]
    assert [w.wait(timeout=180) for w in workers] == [0, 0]
    with tenant_session(None) as session:
        rows = session.exec(select(JobRun).where(JobRun.job_name == name)).all()
    ticks = [r.meta["tick"] for r in rows]
    assert ticks, "no tick ran"
    assert len(ticks) == len(set(ticks)), "a tick ran twice"


def test_audit_chain_check_records_every_head_and_names_a_break(superuser_conn) -> None:
    intact, tampered = make_graph(), make_graph()
    target = superuser_conn.execute(
        "SELECT id FROM audit_logs WHERE tenant_id = %s ORDER BY chain_seq LIMIT 1",
        (tampered.tenant.id,),
    ).fetchone()
    superuser_conn.execute("SET session_replication_role = replica")
    try:
        superuser_conn.execute(
            "UPDATE audit_logs SET action = 'delete' WHERE id = %s", (target[0],)
        )
    finally:
        superuser_conn.execute("RESET session_replication_role")
    tick = int(time.time())
    periodic.audit_chain_check(timestamp=tick)
    [run] = runs("audit_chain_check", tick)
    assert run.result == "failed"
    seq, digest = run.meta["heads"][str(intact.tenant.id)].split(":")
    rows = superuser_conn.execute(
        "SELECT count(*) FROM audit_logs WHERE tenant_id = %s", (intact.tenant.id,)
    ).fetchone()
    assert int(seq) == rows[0] and len(digest) == 64
    assert str(intact.tenant.id) not in run.meta["broken"]
    assert str(target[0]) in run.meta["broken"][str(tampered.tenant.id)]


def test_monthly_residency_job_reports_every_active_tenant(tmp_path, monkeypatch) -> None:
    from portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)
    g = make_graph()
    tick = int(time.time())
    periodic.residency_evidence(timestamp=tick)
    [run] = runs("residency_evidence", tick)
    assert run.result == "succeeded" and run.meta["reports"] >= 1
    checksum = run.meta["checksums"][str(g.tenant.id)]
    assert len(list(tmp_path.glob(f"evidence/{g.tenant.id}/*.html"))) == 1
    assert len(checksum) == 64
