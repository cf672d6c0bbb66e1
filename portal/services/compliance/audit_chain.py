"""The audit log's per-tenant hash chain (migration 0010): verify it, report its heads.

Each audit row stores `chain_seq`, `prev_hash` and `row_hash`, computed by the database at insert.
Verifying recomputes every row's hash with the same SQL function and walks the links in order;
the first row whose content, predecessor or position does not fit is reported. Rows before the
retention anchor are gone by design, but only once past the audit period: an anchor written
less than 365 days ago (migration 0017 records its time) means rows were removed early.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Connection, text
from sqlmodel import Session, select

from portal.db import TenantContext, tenant_session
from portal.models import Tenant
from portal.services.core.locale import format_utc

GENESIS = "0" * 64
REASONS = {
    "altered": "its content no longer matches its hash (edited after it was written)",
    "duplicate": "its position in the chain is taken twice",
    "gap": "rows before it are missing",
    "link": "it does not link to the row before it",
    "tail": "rows after it are missing (the chain head is further on)",
    "head": "the chain head does not match the last row",
    "early": "rows up to here were removed before their retention period ended",
}

# `early`: rows up to the anchor are gone although the anchor (or, for an anchor from before
# 0017, the head it equals) is younger than the audit period.
_HEAD = text(
    """
    SELECT seq, head_hash, anchor_seq, anchor_hash,
           coalesce(anchor_at, CASE WHEN anchor_seq = seq THEN updated_at END) AS anchor_at,
           anchor_seq > 0 AND coalesce(anchor_at, CASE WHEN anchor_seq = seq THEN updated_at END)
             > now() - make_interval(days => retention_days('audit_logs')) AS early
      FROM audit_chain_heads WHERE tenant_id = :t
    """
)
# The first row (after the retention anchor) that does not fit, in chain order.
_FIRST_BREAK = text(
    """
    WITH chain AS (
      SELECT a.id, a.created_at, a.chain_seq, a.prev_hash, a.row_hash,
             audit_chain_hash(a.prev_hash, a.chain_seq, a.id, a.tenant_id, a.actor_id, a.action,
               a.entity_type, a.entity_id, a.before, a.after, a.created_at) AS recomputed,
             lag(a.chain_seq) OVER w AS last_seq, lag(a.row_hash) OVER w AS last_hash
        FROM audit_logs a
       WHERE a.tenant_id = :t AND a.chain_seq > :anchor_seq
      WINDOW w AS (ORDER BY a.chain_seq, a.id)
    )
    SELECT id, created_at, chain_seq,
           CASE WHEN recomputed IS DISTINCT FROM row_hash THEN 'altered'
                WHEN chain_seq = last_seq THEN 'duplicate'
                WHEN chain_seq <> coalesce(last_seq, :anchor_seq) + 1 THEN 'gap'
                ELSE 'link' END AS reason
      FROM chain
     WHERE recomputed IS DISTINCT FROM row_hash
        OR chain_seq <> coalesce(last_seq, :anchor_seq) + 1
        OR prev_hash IS DISTINCT FROM coalesce(last_hash, :anchor_hash)
     ORDER BY chain_seq, id
     LIMIT 1
    """
)
_NO_HEAD = (0, GENESIS, 0, GENESIS, None, False)
_LAST = text(
    "SELECT id, created_at, chain_seq, row_hash FROM audit_logs "
    "WHERE tenant_id = :t AND chain_seq > :anchor_seq ORDER BY chain_seq DESC, id DESC LIMIT 1"
)
_ROWS = text("SELECT count(*) FROM audit_logs WHERE tenant_id = :t")


@dataclass(frozen=True)
class ChainBreak:
    """Where a tenant's chain first stops verifying."""

    chain_seq: int
    audit_id: UUID | None
    created_at: datetime | None
    reason: str

    def describe(self) -> str:
        when = format_utc(self.created_at)
        if self.reason == "early":
            where = f"the retention anchor ({when or 'time unknown'})"
        elif self.audit_id is not None:
            where = f"audit row {self.audit_id} ({when or 'time unknown'})"
        else:
            where = "the chain head"
        return f"seq {self.chain_seq}: {where}: {REASONS.get(self.reason, self.reason)}"


@dataclass(frozen=True)
class ChainReport:
    """One tenant's chain: how many rows, its head, and the first break if any."""

    tenant_id: UUID
    rows: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_tenant_chain(*, session: Session | Connection, tenant_id: UUID) -> ChainReport:
    """Recompute one tenant's chain (the session must see that tenant's audit rows)."""
    head = session.execute(_HEAD, {"t": tenant_id}).first()
    seq, head_hash, anchor_seq, anchor_hash, anchor_at, early = head or _NO_HEAD
    params = {"t": tenant_id, "anchor_seq": anchor_seq, "anchor_hash": anchor_hash}
    first = session.execute(_FIRST_BREAK, params).first()
    last = session.execute(_LAST, params).first()
    # With no row after the anchor, the anchor itself must be the head.
    last_seq, last_hash = (last.chain_seq, last.row_hash) if last else (anchor_seq, anchor_hash)
    broken = None
    if early:
        broken = ChainBreak(anchor_seq, None, anchor_at, "early")
    elif first is not None:
        broken = ChainBreak(first.chain_seq, first.id, first.created_at, first.reason)
    elif last_seq < seq:
        broken = ChainBreak(last_seq, last.id if last else None, last and last.created_at, "tail")
    elif last_seq != seq or last_hash != head_hash:
        broken = ChainBreak(seq, None, None, "head")
    rows = int(session.execute(_ROWS, {"t": tenant_id}).scalar_one())
    return ChainReport(tenant_id, rows, seq, head_hash, broken)


def tenant_ids(*, session: Session) -> list[UUID]:
    """Every tenant, in a stable order (tenants carry no RLS)."""
    return list(session.exec(select(Tenant.id).order_by(Tenant.id)))


def verify_chains(only: Iterable[UUID] | None = None) -> list[ChainReport]:
    """Verify every tenant's chain (or only those given), each in its own tenant transaction."""
    if only is None:
        with tenant_session(None) as session:
            only = tenant_ids(session=session)
    reports = []
    for tenant_id in only:
        with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
            reports.append(verify_tenant_chain(session=session, tenant_id=tenant_id))
    return reports


def chain_heads(reports: Iterable[ChainReport]) -> dict[str, str]:
    """`{tenant id: "seq:hash"}` for the job ledger."""
    return {str(r.tenant_id): f"{r.head_seq}:{r.head_hash}" for r in reports}
