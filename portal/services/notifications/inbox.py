"""The bell: a user's unread count, their latest notifications, mark one or all read.

`displayed` turns stored payloads (ids, no personal data) into what is shown, for the bell and
the emails alike: the actor's name and the comment's excerpt are read now, under the reader's
tenant scope (names through `notification_actor_names`, migration 0018).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlmodel import Session

from portal.models import Comment, Notification
from portal.services.core.errors import NotFound
from portal.services.core.locale import format_datetime
from portal.services.core.validation import parse_uuid
from portal.services.notifications.fan_out import excerpt
from portal.services.notifications.view_types import NotificationView

PANEL_SIZE = 20
NO_ACTOR = "Someone"
_ACTOR_NAMES = text(
    "SELECT notification_id, actor_name FROM notification_actor_names(CAST(:ids AS uuid[]))"
)


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


def _comment_id(payload: dict) -> UUID | None:
    try:
        return UUID(str(payload["comment_id"]))
    except (KeyError, ValueError):
        return None


def _excerpts(session: Session, rows: Sequence[Notification]) -> dict[UUID, str]:
    """Excerpts of the comments notified, only where the comment is in the notification's
    own tenant (a studio admin hearing of an agency's comment sees no words of it)."""
    wanted = {n.id: c for n in rows if "excerpt" not in n.payload and (c := _comment_id(n.payload))}
    if not wanted:
        return {}
    found = session.execute(
        select(Comment.id, Comment.tenant_id, Comment.body).where(
            Comment.id.in_(set(wanted.values()))
        )
    ).all()
    bodies = {(cid, tenant): body for cid, tenant, body in found}
    tenants = {n.id: n.tenant_id for n in rows}
    return {
        nid: excerpt(bodies[(cid, tenants[nid])])
        for nid, cid in wanted.items()
        if (cid, tenants[nid]) in bodies
    }


def _actor_names(session: Session, rows: Sequence[Notification]) -> dict[UUID, str]:
    ids = [str(n.id) for n in rows if n.payload.get("actor_id")]
    if not ids:
        return {}
    return dict(session.execute(_ACTOR_NAMES, {"ids": ids}).tuples().all())


def displayed(*, session: Session, notifications: Sequence[Notification]) -> dict[UUID, dict]:
    """Each notification's payload as shown: `title` names the actor as of now, `excerpt` quotes
    the comment as it is now (gone once the comment is deleted)."""
    names = _actor_names(session, notifications)
    excerpts = _excerpts(session, notifications)
    shown = {}
    for n in notifications:
        data = dict(n.payload)
        if "action" in data and "title" not in data:
            data["title"] = f"{names.get(n.id, NO_ACTOR)} {data['action']}"
        if n.id in excerpts:
            data["excerpt"] = excerpts[n.id]
        shown[n.id] = data
    return shown


def latest(*, session: Session, user_id: UUID, limit: int = PANEL_SIZE) -> list[NotificationView]:
    """The newest notifications of a user, newest first."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
    shown = displayed(session=session, notifications=rows)
    return [
        NotificationView(
            id=str(n.id),
            title=str(shown[n.id].get("title") or n.type)[:300],
            link=_safe_link(shown[n.id].get("link")),
            excerpt=str(shown[n.id].get("excerpt") or "")[:300],
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
