"""The audit hash chain: intact under concurrent writers, tampering and deletion are named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from portal.cli_compliance import audit_verify
from portal.db import tenant_session
from portal.models import Project
from portal.services.compliance.audit_chain import GENESIS, REASONS, ChainBreak, verify_chains
from tests.factories import ctx, make_graph

pytestmark = pytest.mark.usefixtures("database")


def chain_rows(superuser_conn, tenant_id):
    return superuser_conn.execute(
        "SELECT id, chain_seq, prev_hash, row_hash FROM audit_logs WHERE tenant_id = %s "
        "ORDER BY chain_seq",
        (tenant_id,),
    ).fetchall()


def test_a_new_tenants_chain_starts_at_genesis_and_verifies(superuser_conn) -> None:
    g = make_graph()
    rows = chain_rows(superuser_conn, g.tenant.id)
    assert [r[1] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0][2] == GENESIS
    assert all(later[2] == earlier[3] for earlier, later in zip(rows, rows[1:], strict=False))
    [report] = verify_chains([g.tenant.id])
    assert report.intact and report.rows == len(rows) and report.head_seq == len(rows)


def test_concurrent_writers_produce_one_unbroken_chain(superuser_conn) -> None:
    g = make_graph()
    writers, per_writer = 6, 5
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_writer):
                with tenant_session(ctx(g.tenant, g.user)) as session:
                    session.add(Project(tenant_id=g.tenant.id, client_name="C", title=f"P{n}-{i}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = chain_rows(superuser_conn, g.tenant.id)
    assert [r[1] for r in rows] == list(range(1, len(rows) + 1))
    [report] = verify_chains([g.tenant.id])
    assert report.intact and report.rows >= writers * per_writer


def test_a_superuser_edit_with_triggers_disabled_is_named(superuser_conn, capsys) -> None:
    g = make_graph()
    other = make_graph()
    target = chain_rows(superuser_conn, g.tenant.id)[2]
    superuser_conn.execute("SET session_replication_role = replica")
    try:
        superuser_conn.execute(
            "UPDATE audit_logs SET after = coalesce(after, '{}') || '{\"title\": \"forged\"}' "
            "WHERE id = %s",
            (target[0],),
        )
    finally:
        superuser_conn.execute("RESET session_replication_role")
    [report] = verify_chains([g.tenant.id])
    assert report.broken is not None
    assert report.broken.audit_id == target[0] and report.broken.reason == "altered"
    assert str(target[0]) in report.broken.describe()
    assert verify_chains([other.tenant.id])[0].intact
    assert audit_verify(str(g.tenant.id)) == 1
    assert f"BROKEN  tenant {g.tenant.id}" in capsys.readouterr().out
    assert audit_verify(str(other.tenant.id)) == 0


def test_a_deleted_row_and_a_rewritten_link_are_named(superuser_conn) -> None:
    g = make_graph()
    rows = chain_rows(superuser_conn, g.tenant.id)
    superuser_conn.execute("SET session_replication_role = replica")
    try:
        superuser_conn.execute("DELETE FROM audit_logs WHERE id = %s", (rows[1][0],))
    finally:
        superuser_conn.execute("RESET session_replication_role")
    [report] = verify_chains([g.tenant.id])
    assert report.broken is not None
    assert report.broken.reason == "gap" and report.broken.audit_id == rows[2][0]


def test_deleting_the_newest_rows_is_caught_by_the_head(superuser_conn) -> None:
    g = make_graph()
    last = chain_rows(superuser_conn, g.tenant.id)[-1]
    superuser_conn.execute("SET session_replication_role = replica")
    try:
        superuser_conn.execute("DELETE FROM audit_logs WHERE id = %s", (last[0],))
    finally:
        superuser_conn.execute("RESET session_replication_role")
    [report] = verify_chains([g.tenant.id])
    assert report.broken is not None and report.broken.reason == "tail"


def test_the_runtime_role_cannot_forge_link_values() -> None:
    g = make_graph()
    with tenant_session(ctx(g.tenant, g.user)) as session:
        session.execute(
            text(
                "INSERT INTO audit_logs (tenant_id, action, entity_type, entity_id, chain_seq,"
                " prev_hash, row_hash) VALUES (:t, 'insert', 'projects', :e, 1, 'x', 'y')"
            ),
            {"t": g.tenant.id, "e": g.project.id},
        )
    assert verify_chains([g.tenant.id])[0].intact


def test_audit_verify_refuses_a_malformed_tenant_id() -> None:
    with pytest.raises(SystemExit) as exit_info:
        audit_verify("not-a-uuid")
    assert exit_info.value.code == 2


def remove_all_rows(superuser_conn, tenant_id) -> None:
    superuser_conn.execute("SET session_replication_role = replica")
    try:
        superuser_conn.execute("DELETE FROM audit_logs WHERE tenant_id = %s", (tenant_id,))
    finally:
        superuser_conn.execute("RESET session_replication_role")


@pytest.mark.parametrize("anchor_at", ["now()", "NULL"])
def test_rows_removed_before_their_retention_date_are_a_break(
    superuser_conn, anchor_at: str
) -> None:
    # What dropping every partition early left behind: no rows, the anchor moved up to the head
    # (NULL: an anchor written before 0017 recorded its time; the head's time then counts).
    g = make_graph()
    remove_all_rows(superuser_conn, g.tenant.id)
    superuser_conn.execute(
        f"UPDATE audit_chain_heads SET anchor_seq = seq, anchor_hash = head_hash,"
        f" anchor_at = {anchor_at} WHERE tenant_id = %s",
        (g.tenant.id,),
    )
    [report] = verify_chains([g.tenant.id])
    assert not report.intact and report.rows == 0
    assert report.broken is not None and report.broken.reason == "early"
    assert report.broken.chain_seq == report.head_seq
    assert "removed before their retention period ended" in report.broken.describe()


def test_an_anchor_older_than_the_retention_period_verifies(superuser_conn) -> None:
    g = make_graph()
    remove_all_rows(superuser_conn, g.tenant.id)
    superuser_conn.execute(
        "UPDATE audit_chain_heads SET anchor_seq = seq, anchor_hash = head_hash,"
        " anchor_at = now() - interval '366 days' WHERE tenant_id = %s",
        (g.tenant.id,),
    )
    [report] = verify_chains([g.tenant.id])
    assert report.intact and report.rows == 0


def test_a_chain_with_no_rows_left_is_described_without_crashing(superuser_conn) -> None:
    g = make_graph()
    remove_all_rows(superuser_conn, g.tenant.id)
    [report] = verify_chains([g.tenant.id])
    assert report.broken is not None and report.broken.reason == "tail"
    assert report.broken.describe() == (
        "seq 0: the chain head: rows after it are missing (the chain head is further on)"
    )


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_break_describes_itself_without_a_row_or_time(reason: str) -> None:
    text_ = ChainBreak(7, None, None, reason).describe()
    assert text_.startswith("seq 7: ") and text_.endswith(REASONS[reason])
