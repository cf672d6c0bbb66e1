"""Cross-tenant upkeep through the narrow SECURITY DEFINER functions of migration 0006."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

SHARE_LINK_RETENTION_DAYS = 90
NOTIFICATION_RETENTION_DAYS = 180
AUDIT_RETENTION_DAYS = 365
AUDIT_MONTHS_AHEAD = 2


def expire_share_links_everywhere(*, session: Session) -> int:
    """Mark every tenant's passed-expiry share links expired; returns how many changed."""
    return int(session.execute(text("SELECT system_expire_share_links()")).scalar_one())


def purge_retention(
    *,
    session: Session,
    share_link_days: int = SHARE_LINK_RETENTION_DAYS,
    notification_days: int = NOTIFICATION_RETENTION_DAYS,
) -> dict[str, int]:
    """Delete share links long expired and old notifications in every tenant; returns counts."""
    row = session.execute(
        text("SELECT share_links, notifications FROM system_purge_retention(:links, :notes)"),
        {"links": share_link_days, "notes": notification_days},
    ).one()
    return {"share_links": row.share_links, "notifications": row.notifications}


def maintain_audit_partitions(
    *,
    session: Session,
    months_ahead: int = AUDIT_MONTHS_AHEAD,
    retention_days: int = AUDIT_RETENTION_DAYS,
) -> dict[str, list[str]]:
    """Create audit partitions ahead; detach and drop those past retention."""
    row = session.execute(
        text("SELECT created, dropped FROM system_audit_partitions(:ahead, :days)"),
        {"ahead": months_ahead, "days": retention_days},
    ).one()
    return {"created": list(row.created), "dropped": list(row.dropped)}
