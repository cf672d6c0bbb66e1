"""Reading the audit log: validated filters, keyset pages, before/after diffs, CSV rows.

Every query is bounded by a date range (at most MAX_RANGE_DAYS), so PostgreSQL prunes the monthly
partitions it does not need; pages continue from the last row's (created_at, id) rather than an
OFFSET, so page 1,000 costs what page 1 costs. Which tenants' rows appear is decided by RLS;
its read policy is sized by the planner as "half the rows" (0015), so across a studio's agencies
a page walks the date index, and for one tenant the filters name it to get the tenant index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, func, literal, tuple_
from sqlmodel import Session, select

from portal.models import AuditLog, Tenant, User
from portal.services.compliance.view_types import ACTIONS, ENTITY_TYPES, AuditRow, DiffRow
from portal.services.core.errors import InvalidInput
from portal.services.core.locale import format_datetime, today, viewer_zone
from portal.services.core.validation import read_date, reject_control

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30
PAGE_SIZE = 50
VALUE_CHARS = 300


@dataclass(frozen=True)
class AuditFilters:
    """A validated audit query: a bounded date range (viewer's days) and optional filters."""

    date_from: date
    date_to: date
    entity_type: str = ""
    entity_id: UUID | None = None
    actor_id: UUID | None = None
    system_only: bool = False  # rows written with no signed-in actor (jobs, sweeps)
    action: str = ""
    tenant_id: UUID | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC for the viewer's calendar days."""
        zone = viewer_zone()
        start = datetime.combine(self.date_from, time.min, zone).astimezone(UTC)
        end = datetime.combine(self.date_to + timedelta(days=1), time.min, zone).astimezone(UTC)
        return start, end


def _uuid(value: str, label: str) -> UUID | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"{label} must be an id like 0190a1b2-…; got {value[:40]!r}.") from None


def _day(value: str, label: str, default: date) -> date:
    value = (value or "").strip()
    if not value:
        return default
    try:
        return read_date(value)
    except ValueError:
        raise InvalidInput(f"{label} must be a date written dd/mm/yyyy.") from None


def _actor(session: Session, value: str) -> tuple[UUID | None, bool]:
    value = reject_control((value or "").strip()[:320], label="Actor")
    if not value:
        return None, False
    if value.lower() == "system":
        return None, True
    if "@" not in value:
        return _uuid(value, "Actor"), False
    found = session.exec(select(User.id).where(func.lower(User.email) == value.lower())).first()
    if found is None:
        raise InvalidInput(f"No user with the email {value} in the tenants you can see.")
    return found, False


def parse_filters(*, session: Session, params: dict[str, str]) -> AuditFilters:
    """Validate raw filter values (form fields or query parameters) into AuditFilters."""
    known = {"from", "to", "entity_type", "entity_id", "actor", "action", "tenant", "cursor"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise InvalidInput(f"Unknown filter: {', '.join(unknown)[:100]}.")
    entity_type = params.get("entity_type", "").strip()
    if entity_type and entity_type not in ENTITY_TYPES:
        raise InvalidInput(f"Entity type must be one of {', '.join(ENTITY_TYPES)}.")
    action = params.get("action", "").strip()
    if action and action not in ACTIONS:
        raise InvalidInput(f"Action must be one of {', '.join(ACTIONS)}.")
    date_to = _day(params.get("to", ""), "To", today())
    date_from = _day(params.get("from", ""), "From", date_to - timedelta(DEFAULT_RANGE_DAYS - 1))
    if date_from > date_to:
        raise InvalidInput("The start date must be on or before the end date.")
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(f"Choose a date range of at most {MAX_RANGE_DAYS} days.")
    actor_id, system_only = _actor(session, params.get("actor", ""))
    tenant_id = _uuid(params.get("tenant", ""), "Tenant")
    scope = scoped_tenants(session=session)
    if tenant_id and str(tenant_id) not in dict(scope):
        raise InvalidInput("That tenant is not one whose audit log you can read.")
    if tenant_id is None and len(scope) == 1:
        # RLS shows one tenant anyway; saying so lets the planner use the tenant index.
        tenant_id = UUID(scope[0][0])
    return AuditFilters(
        date_from=date_from,
        date_to=date_to,
        entity_type=entity_type,
        entity_id=_uuid(params.get("entity_id", ""), "Entity"),
        actor_id=actor_id,
        system_only=system_only,
        action=action,
        tenant_id=tenant_id,
    )


def filtered(query: Select, filters: AuditFilters) -> Select:
    """`query` over AuditLog narrowed by the filters (the date bounds always apply)."""
    start, end = filters.bounds()
    query = query.where(AuditLog.created_at >= start, AuditLog.created_at < end)
    if filters.entity_type:
        query = query.where(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        query = query.where(AuditLog.entity_id == filters.entity_id)
    if filters.actor_id:
        query = query.where(AuditLog.actor_id == filters.actor_id)
    if filters.system_only:
        query = query.where(AuditLog.actor_id.is_(None))
    if filters.action:
        query = query.where(AuditLog.action == filters.action)
    if filters.tenant_id:
        query = query.where(AuditLog.tenant_id == filters.tenant_id)
    return query


def _summary() -> Any:
    fields = ("title", "name", "client_name")
    values = [side[f].astext for side in (AuditLog.after, AuditLog.before) for f in fields]
    return func.coalesce(*values, literal(""))


def encode_key(created_at: datetime, audit_id: UUID) -> str:
    return f"{created_at.astimezone(UTC).isoformat()}|{audit_id}"


def decode_key(key: str) -> tuple[datetime, UUID]:
    """(created_at, id) from a row key; InvalidInput when it was tampered with."""
    try:
        when, _, ident = (key or "").partition("|")
        return datetime.fromisoformat(when), UUID(ident)
    except ValueError:
        raise InvalidInput("That page of the audit log is not available; start again.") from None


def page_query(filters: AuditFilters, after: str = "", limit: int = PAGE_SIZE) -> Select:
    """The statement of one page (limit + 1 rows, to tell whether more follow)."""
    query = filtered(
        select(
            AuditLog.id,
            AuditLog.created_at,
            AuditLog.action,
            AuditLog.entity_type,
            AuditLog.entity_id,
            AuditLog.actor_id,
            Tenant.name.label("tenant_name"),
            User.email.label("actor_email"),
            _summary().label("summary"),
        )
        .join(Tenant, Tenant.id == AuditLog.tenant_id)
        .outerjoin(User, User.id == AuditLog.actor_id),
        filters,
    )
    if after:
        created_at, audit_id = decode_key(after)
        # The plain bound starts the index scan at the key (and prunes later partitions).
        query = query.where(
            AuditLog.created_at <= created_at,
            tuple_(AuditLog.created_at, AuditLog.id) < (created_at, audit_id),
        )
    return query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit + 1)


def audit_page(
    *, session: Session, filters: AuditFilters, after: str = "", limit: int = PAGE_SIZE
) -> tuple[list[AuditRow], bool]:
    """One page, newest first, continuing after the row key `after`; and whether more follow."""
    rows = session.execute(page_query(filters, after, limit)).all()
    return [_row(r) for r in rows[:limit]], len(rows) > limit


def _row(r: Any) -> AuditRow:
    actor = r.actor_email or (f"user {str(r.actor_id)[:8]}" if r.actor_id else "system")
    return AuditRow(
        key=encode_key(r.created_at, r.id),
        when=format_datetime(r.created_at),
        tenant=r.tenant_name,
        actor=actor,
        action=r.action,
        entity_type=r.entity_type,
        entity_id=str(r.entity_id),
        summary=(r.summary or "")[:120],
    )


def _show(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def audit_diff(*, session: Session, key: str) -> list[DiffRow]:
    """The fields an entry changed (all fields for an insert or delete); [] if not visible."""
    created_at, audit_id = decode_key(key)
    entry = session.exec(
        select(AuditLog).where(AuditLog.id == audit_id, AuditLog.created_at == created_at)
    ).first()
    if entry is None:
        return []
    before, after = entry.before or {}, entry.after or {}
    return [
        DiffRow(field, _show(before.get(field)), _show(after.get(field)))
        for field in sorted(set(before) | set(after))
        if entry.action != "update" or before.get(field) != after.get(field)
    ]


CSV_HEADER = (
    "created_at_utc,tenant,actor_id,actor_email,action,entity_type,entity_id,"
    "chain_seq,row_hash,before,after"
).split(",")


def export_rows(*, session: Session, filters: AuditFilters) -> Iterator[list[str]]:
    """Every matching entry, oldest first, fetched in batches (never all in memory)."""
    query = filtered(
        select(AuditLog, Tenant.name, User.email)
        .join(Tenant, Tenant.id == AuditLog.tenant_id)
        .outerjoin(User, User.id == AuditLog.actor_id),
        filters,
    ).order_by(AuditLog.created_at, AuditLog.id)
    for entry, tenant, email in session.execute(query.execution_options(yield_per=1000)):
        yield [
            entry.created_at.astimezone(UTC).isoformat(),
            tenant,
            str(entry.actor_id or ""),
            email or "",
            entry.action,
            entry.entity_type,
            str(entry.entity_id),
            str(entry.chain_seq),
            entry.row_hash or "",
            json.dumps(entry.before, sort_keys=True) if entry.before is not None else "",
            json.dumps(entry.after, sort_keys=True) if entry.after is not None else "",
        ]


def scoped_tenants(*, session: Session) -> list[tuple[str, str]]:
    """(id, name) of the tenants whose audit rows this session may read."""
    rows = session.execute(
        select(Tenant.id, Tenant.name)
        .where(Tenant.id == func.any_(func.app_tenant_scope()))
        .order_by(Tenant.name)
    ).all()
    return [(str(tid), name) for tid, name in rows]
