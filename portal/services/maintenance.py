"""Cross-tenant upkeep through the narrow SECURITY DEFINER functions of migration 0006."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

SHARE_LINK_RETENTION_DAYS = 90
NOTIFICATION_RETENTION_DAYS = 180
AUDIT_RETENTION_DAYS = 365
AUDIT_MONTHS_AHEAD = 2
# When the retention jobs run (UTC); the compliance page shows the next run from these.
RETENTION_CRON = "17 3 * * *"
AUDIT_PARTITIONS_CRON = "7 2 * * *"


def expire_share_links_everywhere(*, session: Session) -> int:
    """Mark every tenant's passed-expiry share links expired; returns how many changed."""
    return int(session.execute(text("SELECT system_expire_share_links()")).scalar_one())


def purge_retention(
    *,
    session: Session,
    now: datetime | None = None,
    share_link_days: int = SHARE_LINK_RETENTION_DAYS,
    notification_days: int = NOTIFICATION_RETENTION_DAYS,
) -> dict[str, int]:
    """As of `now`: delete share links expired more than 90 days and notifications older than
    180 days, in every tenant; returns counts."""
    row = session.execute(
        text("SELECT share_links, notifications FROM system_purge_retention(:now, :links, :notes)"),
        {"now": now or datetime.now(UTC), "links": share_link_days, "notes": notification_days},
    ).one()
    return {"share_links": row.share_links, "notifications": row.notifications}


def maintain_audit_partitions(
    *,
    session: Session,
    now: datetime | None = None,
    months_ahead: int = AUDIT_MONTHS_AHEAD,
    retention_days: int = AUDIT_RETENTION_DAYS,
) -> dict[str, list[str]]:
    """As of `now`: create audit partitions ahead; detach and drop those whose whole month is
    past retention (each tenant's last dropped link is kept as its chain anchor)."""
    row = session.execute(
        text("SELECT created, dropped FROM system_audit_partitions(:now, :ahead, :days)"),
        {"now": now or datetime.now(UTC), "ahead": months_ahead, "days": retention_days},
    ).one()
    return {"created": list(row.created), "dropped": list(row.dropped)}
