"""Cross-tenant upkeep: share-link expiry (runtime role) and retention (owner only, migration 0017).

Retention periods live in the database (`retention_periods`); the runtime role can read them but
cannot run a purge, so nothing the web process can do shortens them. The daily jobs call the
argument-free functions (the database's own clock); `now=` runs the owner-only `…_as_of` twin,
for exact-boundary tests and operators.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from portal.db import owner_session

# When the retention jobs run (UTC); the compliance page shows the next run from these.
RETENTION_CRON = "17 3 * * *"
AUDIT_PARTITIONS_CRON = "7 2 * * *"
PURGED_TABLES = (
    "share_links",
    "notifications",
    "auth_tokens",
    "user_sessions",
    "login_attempts",
    "mail_outbox",
    "job_runs",
    "webhook_events",
    "api_tokens",
    "api_idempotency_keys",
    "api_rate_counters",
    "upload_requests",
    "webhook_deliveries",
    "procrastinate_jobs",
)


def expire_share_links_everywhere(*, session: Session) -> int:
    """Mark every tenant's passed-expiry share links expired; returns how many changed."""
    return int(session.execute(text("SELECT system_expire_share_links()")).scalar_one())


def purge_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past its period in every table that has one; returns counts per table."""
    columns = ", ".join(PURGED_TABLES)
    call = "system_purge_retention()" if now is None else "system_purge_retention_as_of(:now)"
    with owner_session() as session:
        row = session.execute(text(f"SELECT {columns} FROM {call}"), {"now": now}).one()
    return {table: int(getattr(row, table)) for table in PURGED_TABLES}


def maintain_audit_partitions(*, now: datetime | None = None) -> dict[str, list[str]]:
    """Create audit partitions ahead (and for months waiting in the DEFAULT partition); detach
    and drop those past retention, keeping each tenant's last dropped link as its anchor."""
    call = "system_audit_partitions()" if now is None else "system_audit_partitions_as_of(:now)"
    with owner_session() as session:
        row = session.execute(text(f"SELECT created, dropped FROM {call}"), {"now": now}).one()
    return {"created": list(row.created), "dropped": list(row.dropped)}


def retention_periods(*, session: Session) -> dict[str, int]:
    """`{table: days}` as the database enforces them (readable by the runtime role)."""
    rows = session.execute(text("SELECT table_name, days FROM retention_periods"))
    return {name: int(days) for name, days in rows}
