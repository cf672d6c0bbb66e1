"""Audit rows for the benchmark data set, with a valid per-tenant hash chain.

The loader writes these rows directly (COPY, triggers off) instead of letting the audit triggers
fire for each generated project or task: 10,000,000 rows through the chain trigger, one locked
head update per row, would take hours. So the chain is computed here, with exactly the formula
of `audit_chain_hash` (migration 0010): sha256 of the previous hash followed by the JSONB text of
`[seq, id, tenant, actor, action, entity_type, entity_id, created_at, before, after]`. The loader
then sets each tenant's `audit_chain_heads` row and checks sample tenants with the real verifier
(portal/services/compliance/audit_chain.py), so the generated chains verify like written ones.

Rows are produced in global time order, tenants interleaved, as a live system writes them (a
tenant's rows are spread over the heap, not packed together). Snapshots are short (id, title,
status): a real trigger stores the whole row, so the table here is smaller than production's.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from uuid_utils import uuid7

from bench._rows import PROJECT_STATUSES, TASK_STATUSES, TenantRows

GENESIS = "0" * 64
NULL = "\\N"  # COPY's null
COLUMNS = (
    "id, tenant_id, actor_id, action, entity_type, entity_id, before, after, created_at, "
    "chain_seq, prev_hash, row_hash"
)
STATUSES = {
    "projects": PROJECT_STATUSES,
    "tasks": TASK_STATUSES,
    "assets": ("processing", "ready"),
    "share_links": ("active", "expired", "revoked"),
}


def snapshot(entity_id: str, title: str, status: str) -> str:
    """The JSONB text of {id, title, status}: PostgreSQL orders keys by length, then bytes, and
    writes ', ' and ': ' (values here are plain ASCII, nothing to escape)."""
    return f'{{"id": "{entity_id}", "title": "{title}", "status": "{status}"}}'


def chain_hash(prev: str, seq: int, row: tuple, stamp: str) -> str:
    """audit_chain_hash(prev, seq, id, tenant, actor, action, type, entity, before, after, at);
    `stamp` is created_at as the function writes it (YYYY-MM-DDTHH:MI:SS.US, UTC, Z)."""
    audit_id, tenant, actor, action, entity_type, entity_id, before, after = row
    actor_text = "null" if actor is None else f'"{actor}"'
    content = (
        f'[{seq}, "{audit_id}", "{tenant}", {actor_text}, "{action}", "{entity_type}", '
        f'"{entity_id}", "{stamp}Z", {before or "null"}, {after or "null"}]'
    )
    return hashlib.sha256((prev + content).encode()).hexdigest()


class AuditChains:
    """Generates audit rows across tenants, keeping each tenant's chain head."""

    def __init__(self, tenants: list[TenantRows], studio_admins: list[str], seed: int = 11):
        self.tenants = tenants
        self.studio_admins = studio_admins
        self.rnd = random.Random(seed)
        self.heads = {t.id: (0, GENESIS) for t in tenants}

    def _row(self, tenant: TenantRows, nanoseconds: int) -> tuple:
        """(id, tenant, actor, action, type, entity, before, after): 12% inserts, the rest
        updates; actors 75% the agency's users, 20% studio admins, 5% none (jobs)."""
        rnd = self.rnd.random
        entity_type, entity_id, title = tenant.entities[int(rnd() * len(tenant.entities))]
        statuses = STATUSES[entity_type]
        roll = rnd()
        if roll < 0.05:
            actor = None
        elif roll < 0.25:
            actor = self.studio_admins[int(rnd() * len(self.studio_admins))]
        else:
            actor = tenant.users[int(rnd() * len(tenant.users))]
        audit_id = str(uuid7(nanoseconds=nanoseconds))
        after = snapshot(entity_id, title, statuses[int(rnd() * len(statuses))])
        if rnd() < 0.12:
            return (audit_id, tenant.id, actor, "insert", entity_type, entity_id, None, after)
        before = snapshot(entity_id, title, statuses[int(rnd() * len(statuses))])
        return (audit_id, tenant.id, actor, "update", entity_type, entity_id, before, after)

    def lines(self, total: int, start: datetime, end: datetime) -> Iterator[str]:
        """`total` COPY lines spread evenly over [start's midnight, end), in time order."""
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        days = max(1, (end - start).days)
        per_day, extra = divmod(total, days)
        for day in range(days):
            base = start + timedelta(days=day)
            day_text, base_ns = f"{base:%Y-%m-%d}", int(base.timestamp()) * 1_000_000_000
            count = per_day + (1 if day < extra else 0)
            span = min(86_400_000_000, int((end - base).total_seconds() * 1_000_000))
            for offset in sorted(int(self.rnd.random() * span) for _ in range(count)):
                seconds, micros = divmod(offset, 1_000_000)
                minutes, second = divmod(seconds, 60)
                clock = f"{minutes // 60:02d}:{minutes % 60:02d}:{second:02d}.{micros:06d}"
                yield self._line(day_text, clock, base_ns + offset * 1000)

    def _line(self, day: str, clock: str, nanoseconds: int) -> str:
        tenant = self.tenants[int(self.rnd.random() * len(self.tenants))]
        row = self._row(tenant, nanoseconds)
        seq, prev = self.heads[tenant.id]
        seq += 1
        row_hash = chain_hash(prev, seq, row, f"{day}T{clock}")
        self.heads[tenant.id] = (seq, row_hash)
        audit_id, tenant_id, actor, action, entity_type, entity_id, before, after = row
        return (
            f"{audit_id}\t{tenant_id}\t{actor or NULL}\t{action}\t{entity_type}\t"
            f"{entity_id}\t{before or NULL}\t{after}\t{day} {clock}+00\t{seq}\t{prev}\t"
            f"{row_hash}\n"
        )
