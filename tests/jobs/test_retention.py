"""Retention against a controllable clock (the job's tick): exact boundaries, chain anchors.

Clocks are in the past, so these runs never purge anything a real-time run would keep.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from portal.db import tenant_session
from portal.jobs import periodic
from portal.models import Notification, Project
from portal.services.audit_chain import verify_chains
from tests.factories import ctx, make_graph, make_tenant
from tests.jobs.test_periodic import add_link, runs, status_of

pytestmark = pytest.mark.usefixtures("database")
SECOND = timedelta(seconds=1)


def tick_of(clock: datetime) -> int:
    return int(clock.timestamp())


def test_share_links_and_notifications_purged_exactly_at_90_and_180_days() -> None:
    clock = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    graph = make_graph()
    gone = add_link(graph, clock - timedelta(days=90) - SECOND)
    kept = add_link(graph, clock - timedelta(days=90) + SECOND)
    notes = {}
    with tenant_session(ctx(graph.tenant)) as session:
        for name, age in (
            ("gone", timedelta(days=180) + SECOND),
            ("kept", timedelta(180) - SECOND),
        ):
            note = Notification(
                tenant_id=graph.tenant.id, user_id=graph.user.id, type=name, created_at=clock - age
            )
            session.add(note)
            notes[name] = note
    periodic.retention_purge(timestamp=tick_of(clock))
    assert status_of(graph, gone) is None and status_of(graph, kept) == "expired"
    with tenant_session(ctx(graph.tenant)) as session:
        assert session.get(Notification, notes["gone"].id) is None
        assert session.get(Notification, notes["kept"].id) is not None
    [run] = runs("retention_purge", tick_of(clock))
    assert run.meta["share_links"] >= 1 and run.meta["notifications"] >= 1


def old_month() -> datetime:
    """The first instant of the month fourteen months ago (UTC)."""
    start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(14):
        start = (start - timedelta(days=1)).replace(day=1)
    return start


def test_audit_partition_dropped_exactly_365_days_after_its_month_and_chain_anchored(
    owner_conn,  # type: ignore[no-untyped-def]
) -> None:
    start = old_month()
    end = (start + timedelta(days=32)).replace(day=1)
    part = f"audit_logs_y{start:%Y}m{start:%m}"
    owner_conn.execute("SELECT audit_create_partition(%s)", (start.date(),))
    tenant = make_tenant()
    with tenant_session(ctx(tenant)) as session:
        for day in (1, 2):
            session.execute(
                text(
                    "INSERT INTO audit_logs (tenant_id, action, entity_type, entity_id,"
                    " created_at) VALUES (:t, 'insert', 'projects', :e, :at)"
                ),
                {"t": tenant.id, "e": uuid.uuid4(), "at": start + timedelta(days=day)},
            )
        session.add(Project(tenant_id=tenant.id, client_name="C", title="Now"))

    before = end + timedelta(days=365) - SECOND
    periodic.audit_partitions(timestamp=tick_of(before))
    assert part not in runs("audit_partitions", tick_of(before))[0].meta["dropped"]
    after = end + timedelta(days=365) + SECOND
    periodic.audit_partitions(timestamp=tick_of(after))
    assert part in runs("audit_partitions", tick_of(after))[0].meta["dropped"]

    [report] = verify_chains([tenant.id])
    assert report.intact and report.rows == 1 and report.head_seq == 3
    anchor = owner_conn.execute(
        "SELECT anchor_seq FROM audit_chain_heads WHERE tenant_id = %s", (tenant.id,)
    ).fetchone()
    assert anchor == (2,)
