"""The bell: a user's unread count, their latest notifications, mark one or all read."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, update
from sqlmodel import Session

from portal.models import Notification
from portal.services.errors import NotFound
from portal.services.locale import format_datetime
from portal.services.validation import parse_uuid

PANEL_SIZE = 20


@dataclass
class NotificationView:
    """One line of the bell's panel."""

    id: str
    title: str
    link: str
    excerpt: str
    created_at: str
    unread: bool


def unread_count(*, session: Session, user_id: UUID) -> int:
    """Unread notifications of a user (index-only: idx_notifications_unread_count)."""
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def _safe_link(link: object) -> str:
    # Links are made by our services; anything not a same-site path is dropped.
    value = str(link or "")
    return value if value.startswith("/") and not value.startswith("//") else "/"


def latest(*, session: Session, user_id: UUID, limit: int = PANEL_SIZE) -> list[NotificationView]:
    """The newest notifications of a user, newest first."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    return [
        NotificationView(
            id=str(n.id),
            title=str(n.payload.get("title") or n.type)[:300],
            link=_safe_link(n.payload.get("link")),
            excerpt=str(n.payload.get("excerpt") or "")[:300],
            created_at=format_datetime(n.created_at),
            unread=n.read_at is None,
        )
        for n in rows
    ]


def mark_read(*, session: Session, user_id: UUID, notification_id: UUID | str) -> None:
    """Mark one of the user's own notifications read (someone else's reads as not found)."""
    done = session.execute(
        update(Notification)
        .where(
            Notification.id == parse_uuid(notification_id),
            Notification.user_id == user_id,
        )
        .values(read_at=func.coalesce(Notification.read_at, func.now()))
    )
    if done.rowcount == 0:
        raise NotFound()


def mark_all_read(*, session: Session, user_id: UUID) -> int:
    """Mark every unread notification of the user read; returns how many."""
    done = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=func.now())
    )
    return done.rowcount
