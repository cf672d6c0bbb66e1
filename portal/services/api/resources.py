"""The records /api/v1 answers with, read in the caller's tenant-scoped transaction (RLS decides
which rows exist, exactly as on the pages), and the entity tags that guard updates."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, tuple_
from sqlmodel import Session, col

from portal.models import Asset, Comment, Notification, ShareLink, User
from portal.services.core.errors import InvalidInput
from portal.services.core.rows import get_project
from portal.services.media.assets import get_asset
from portal.services.media.timecode import format_timecode
from portal.services.notifications.inbox import displayed
from portal.services.sharing.links import get_share_link
from portal.services.sharing.rules import effective_status


def etag(*parts: object) -> str:
    """A strong entity tag over the values that change when the resource changes."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def matches(if_match: str | None, current: str) -> bool:
    """RFC 9110 If-Match: absent, `*` or any listed tag equal to the current one."""
    if if_match is None:
        return True
    wanted = [t.strip() for t in if_match.split(",")]
    return "*" in wanted or current in wanted


def encode_cursor(*values: object) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """A (created_at, id) cursor; InvalidInput when malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, ident = json.loads(raw)
        return datetime.fromisoformat(when), UUID(ident)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidInput(
            "That cursor is not valid for this list: start again without it."
        ) from None


# Versions and deliverables


def _numbers(session: Session, project_id: UUID, key: str | None) -> dict[UUID, int]:
    """Each live version of one deliverable with its number (v1, v2, …)."""
    rows = session.scalars(
        select(col(Asset.id))
        .where(col(Asset.project_id) == project_id, col(Asset.deliverable_key) == key)
        .where(col(Asset.status) != "deleted")
        .order_by(col(Asset.version))
    ).all()
    return {asset_id: n for n, asset_id in enumerate(rows, start=1)}


def version_record(session: Session, asset: Asset, number: int | None = None) -> dict[str, Any]:
    if number is None:
        number = _numbers(session, asset.project_id, asset.deliverable_key).get(asset.id, 0)
    return {
        "id": asset.id,
        "project_id": asset.project_id,
        "title": asset.title,
        "number": number,
        "status": asset.status,
        "review_status": asset.review_status,
        "reviewed_at": asset.reviewed_at,
        "reviewed_by": asset.reviewed_by,
        "duration_seconds": float(asset.duration) if asset.duration is not None else None,
        "frame_rate": float(asset.frame_rate) if asset.frame_rate is not None else None,
        "filename": asset.original_filename or "",
        "created_at": asset.created_at,
    }


def version_etag(asset: Asset) -> str:
    return etag("asset", asset.id, asset.updated_at, asset.review_status, asset.status)


def version(session: Session, asset_id: UUID, *, for_update: bool = False) -> Asset:
    return get_asset(session=session, asset_id=asset_id, for_update=for_update)


def deliverables(session: Session, project_id: UUID) -> list[dict[str, Any]]:
    """A project's deliverables, each with its live versions (oldest first)."""
    project = get_project(session=session, project_id=project_id)
    rows = session.scalars(
        select(Asset)
        .where(col(Asset.project_id) == project.id, col(Asset.status) != "deleted")
        .order_by(Asset.deliverable_key, col(Asset.version))
    ).all()
    groups: dict[str, list[Asset]] = {}
    for row in rows:
        groups.setdefault(row.deliverable_key or "", []).append(row)
    return [
        {
            "title": group[-1].title,
            "latest_version_id": group[-1].id,
            "versions": [version_record(session, a, n) for n, a in enumerate(group, start=1)],
        }
        for group in groups.values()
    ]


# Comments


def comment_record(comment: Comment, author: str | None, fps: float) -> dict[str, Any]:
    meta = comment.meta or {}
    start = meta.get("timecode")
    end = meta.get("end")
    drawing = meta.get("annotation")
    return {
        "id": comment.id,
        "version_id": comment.parent_id,
        "reply_to_id": comment.reply_to_id,
        "author_name": author or "Studio team",
        "body": comment.body,
        "timecode_seconds": float(start) if start is not None else None,
        "end_seconds": float(end) if end is not None else None,
        "frame": meta.get("frame"),
        "timecode": format_timecode(float(start), fps) if start is not None else None,
        "resolved": bool(meta.get("resolved")),
        "drawing": drawing if isinstance(drawing, dict) else None,
        "created_at": comment.created_at,
    }


def comments(session: Session, asset_id: UUID) -> list[dict[str, Any]]:
    """A version's comments in the order they were written."""
    asset = get_asset(session=session, asset_id=asset_id)
    rows = session.execute(
        select(Comment, func.coalesce(User.name, col(User.email)))
        .outerjoin(User, col(User.id) == col(Comment.author_id))
        .where(col(Comment.parent_type) == "asset", col(Comment.parent_id) == asset.id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    fps = float(asset.frame_rate or 25)
    return [comment_record(c, name, fps) for c, name in rows]


def comment_of(session: Session, comment: Comment) -> dict[str, Any]:
    asset = get_asset(session=session, asset_id=comment.parent_id)
    author: str | None = None
    if comment.author_id:
        user = session.get(User, comment.author_id)
        author = (user.name or user.email) if user else None
    return comment_record(comment, author, float(asset.frame_rate or 25))


# Share links


def share_link_record(link: ShareLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "version_id": link.asset_id,
        "name": link.name,
        "status": effective_status(link),
        "expires_at": link.expires_at,
        "view_count": link.view_count,
        "view_limit": link.view_limit,
        "last_viewed_at": link.last_viewed_at,
        "passcode_set": link.passcode_hash is not None,
        "allow_comments": link.allow_comments,
        "allow_download": link.allow_download,
        "watermark": link.watermark,
        "created_at": link.created_at,
    }


def share_link_etag(link: ShareLink) -> str:
    return etag("share_link", link.id, link.updated_at, link.status, link.expires_at)


def share_link(session: Session, link_id: UUID, *, for_update: bool = False) -> ShareLink:
    return get_share_link(session=session, link_id=link_id, for_update=for_update)


def share_links(session: Session, asset_id: UUID) -> list[dict[str, Any]]:
    asset = get_asset(session=session, asset_id=asset_id)
    rows = session.scalars(
        select(ShareLink)
        .where(col(ShareLink.asset_id) == asset.id)
        .order_by(col(ShareLink.created_at).desc(), col(ShareLink.id).desc())
    ).all()
    return [share_link_record(link) for link in rows]


# Notifications


def notifications(
    session: Session, *, user_id: UUID, after: str, limit: int, unread_only: bool
) -> tuple[list[dict[str, Any]], str]:
    """The user's notifications, newest first, after a cursor; and the next page's cursor."""
    query = select(Notification).where(col(Notification.user_id) == user_id)
    if unread_only:
        query = query.where(col(Notification.read_at).is_(None))
    if after:
        when, ident = decode_cursor(after)
        query = query.where(tuple_(Notification.created_at, col(Notification.id)) < (when, ident))
    rows = session.scalars(
        query.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(
            limit + 1
        )
    ).all()
    page = rows[:limit]
    shown = displayed(session=session, notifications=page)
    records = [
        {
            "id": n.id,
            "type": n.type,
            "title": str(shown[n.id].get("title") or n.type)[:300],
            "excerpt": str(shown[n.id].get("excerpt") or "")[:300],
            "link": str(shown[n.id].get("link") or ""),
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in page
    ]
    cursor = ""
    if len(rows) > limit and page[-1].created_at is not None:
        cursor = encode_cursor(page[-1].created_at.isoformat(), page[-1].id)
    return records, cursor
