"""Review comments on an asset version: timecoded, threaded, resolvable, searchable.

`comments.metadata` holds `timecode` (seconds), `frame` (at the asset's frame rate), an optional
`end` (a range), `resolved` (with who and when) and, on a thread's first comment, an optional
`annotation`: a drawing on that frame (vector JSON, portal/services/media/annotations.py). Email
addresses and phone numbers in bodies and drawing labels are masked before insert (data
protection): the page says so beside the comment box.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from sqlalchemy import column, func, select, text
from sqlmodel import Session

from portal.models import Comment, User
from portal.services.core.errors import InvalidInput
from portal.services.core.locale import format_datetime
from portal.services.core.rows import get_comment, insert_row
from portal.services.core.validation import clean_text
from portal.services.media.annotations import DrawingMark, parse_drawing
from portal.services.media.assets import get_asset
from portal.services.media.timecode import format_timecode, frame_at
from portal.services.media.view_types import AssetCommentView
from portal.services.notifications.events import on_asset_comment
from portal.services.outbound.webhooks import emit

MAX_BODY = 10000
FILTERS = ("all", "open", "resolved")
EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with the usual phone separators; masked when it holds 8 to 15 digits.
PHONE = re.compile(r"(?<![\w:])\+?\(?\d[\d ().-]{6,}\d(?![\w:])")
EMAIL_MASK, PHONE_MASK = "[email removed]", "[phone removed]"


def scrub_pii(body: str) -> str:
    """Mask email addresses and phone numbers."""
    body = EMAIL.sub(EMAIL_MASK, body)

    def phone(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group(0))
        return PHONE_MASK if 8 <= digits <= 15 else match.group(0)

    return PHONE.sub(phone, body)


def _seconds(value: float | str | None, *, label: str, limit: Decimal) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        seconds = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"{label} is not a time in seconds.") from None
    if not seconds.is_finite() or seconds < 0 or seconds > limit:
        raise InvalidInput(f"{label} is outside the video (0 to {limit.normalize():f} seconds).")
    return seconds.quantize(Decimal("0.001"))


def add_asset_comment(
    *,
    session: Session,
    asset_id: UUID | str,
    author_id: UUID | None,
    body: str,
    timecode: float | str | None = None,
    end: float | str | None = None,
    reply_to_id: UUID | str | None = None,
    annotation: object = None,
) -> Comment:
    """Comment at a time in the video (optionally a range, optionally with a drawing on that
    frame), or reply in a thread."""
    asset = get_asset(session=session, asset_id=asset_id)
    body = scrub_pii(clean_text(body, label="Comment", max_length=MAX_BODY))
    drawing = parse_drawing(annotation, scrub=scrub_pii)
    meta: dict[str, object] = {}
    root = None
    if reply_to_id and drawing:
        raise InvalidInput("A drawing goes on a new comment at its frame, not on a reply.")
    if reply_to_id:
        parent = get_comment(session=session, comment_id=reply_to_id)
        if parent.parent_type != "asset" or parent.parent_id != asset.id:
            raise InvalidInput("You can only reply to a comment on the same version.")
        root = parent.reply_to_id or parent.id
    else:
        limit = asset.duration if asset.duration is not None else Decimal(86400)
        start = _seconds(timecode, label="The timecode", limit=limit) or Decimal(0)
        stop = _seconds(end, label="The range's out point", limit=limit)
        if stop is not None and stop <= start:
            raise InvalidInput(
                "A range must end after it starts: mark the out point after the in point."
            )
        fps = float(asset.frame_rate or 25)
        meta = {
            "timecode": float(start),
            "frame": frame_at(float(start), fps),
            "end": float(stop) if stop is not None else None,
            "resolved": False,
        }
        if drawing:
            meta["annotation"] = drawing
    comment = Comment(
        tenant_id=asset.tenant_id,
        parent_type="asset",
        parent_id=asset.id,
        author_id=author_id,
        reply_to_id=root,
        body=body,
        meta=meta,
    )
    saved = on_asset_comment(session=session, comment=insert_row(session, comment))  # notifications
    emit(
        session=session,
        tenant_id=saved.tenant_id,
        event_type="comment.created",
        data={
            "comment_id": saved.id,
            "version_id": asset.id,
            "project_id": asset.project_id,
            "reply_to_id": saved.reply_to_id,
            "body": saved.body,
            "timecode_seconds": (saved.meta or {}).get("timecode"),
            "end_seconds": (saved.meta or {}).get("end"),
        },
    )
    return saved


def set_resolved(
    *, session: Session, comment_id: UUID | str, user_id: UUID | None, resolved: bool
) -> Comment:
    """Resolve or reopen a thread (its first comment carries the flag)."""
    comment = get_comment(session=session, comment_id=comment_id)
    if comment.parent_type != "asset":
        raise InvalidInput("Only review comments on a video can be resolved.")
    if comment.reply_to_id is not None:
        comment = get_comment(session=session, comment_id=comment.reply_to_id)
    get_asset(session=session, asset_id=comment.parent_id)
    stamp = datetime.now(UTC).isoformat() if resolved else None
    comment.meta = {
        **comment.meta,
        "resolved": resolved,
        "resolved_by": str(user_id) if resolved and user_id else None,
        "resolved_at": stamp,
    }
    return insert_row(session, comment)


def _matching_threads(session: Session, asset_id: UUID, query: str) -> set[UUID]:
    """Threads with a comment matching `query`, among one version's comments (found by
    idx_comments_parent; a version has tens of comments, so their bodies are matched directly)."""
    rows = session.execute(
        text(
            "SELECT coalesce(reply_to_id, id) FROM comments"
            " WHERE parent_type = 'asset' AND parent_id = :asset"
            " AND to_tsvector('english', body) @@ websearch_to_tsquery('english', :q)"
        ),
        {"asset": asset_id, "q": query},
    )
    return {r[0] for r in rows}


def asset_thread(
    *, session: Session, asset_id: UUID | str, status: str = "all", query: str = ""
) -> list[AssetCommentView]:
    """A version's threads in timecode order, each followed by its replies; filtered by
    open/resolved and by a full-text search over bodies."""
    asset = get_asset(session=session, asset_id=asset_id)
    if status not in FILTERS:
        raise InvalidInput("Unknown comment filter.")
    query = clean_text(query, label="Search", max_length=200, required=False)
    rows = session.execute(
        select(Comment, func.coalesce(User.name, User.email))
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.parent_type == "asset", Comment.parent_id == asset.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    wanted = _matching_threads(session, asset.id, query) if query else None
    replies: dict[UUID, list] = {}
    for row in rows:
        if row[0].reply_to_id:
            replies.setdefault(row[0].reply_to_id, []).append(row)
    roots = sorted(
        (r for r in rows if r[0].reply_to_id is None),
        key=lambda r: (r[0].meta.get("timecode") or 0, r[0].created_at),
    )
    fps = float(asset.frame_rate or 25)
    views = []
    for root in roots:
        resolved = bool(root[0].meta.get("resolved"))
        if (status == "open" and resolved) or (status == "resolved" and not resolved):
            continue
        if wanted is not None and root[0].id not in wanted:
            continue
        for c, name in [root, *replies.get(root[0].id, [])]:
            views.append(_view(c, name, root[0], fps))
    return views


def _view(c: Comment, name: str | None, root: Comment, fps: float) -> AssetCommentView:
    seconds = float(root.meta.get("timecode") or 0)
    label = format_timecode(seconds, fps)
    end = root.meta.get("end")
    if end is not None and c.reply_to_id is None:
        label += " – " + format_timecode(float(end), fps)
    return AssetCommentView(
        id=str(c.id),
        author_name=name or "Studio team",
        body=c.body,
        created_at=format_datetime(c.created_at),
        is_reply=c.reply_to_id is not None,
        timecode=label,
        seconds=seconds if math.isfinite(seconds) else 0.0,
        resolved=bool(root.meta.get("resolved")),
        has_drawing=c.reply_to_id is None and bool(c.meta.get("annotation")),
        end_seconds=f"{float(end):.3f}" if end is not None and c.reply_to_id is None else "",
    )


def asset_drawings(
    *, session: Session, asset_id: UUID | str, share_link_id: UUID | None = None
) -> list[DrawingMark]:
    """Every drawing on a version's comments, in timecode order, whatever the list's filter:
    the player shows each on its frame (or across its range). With `share_link_id`, only those
    left through that share link (what its guests see)."""
    asset = get_asset(session=session, asset_id=asset_id)
    where = [
        Comment.parent_type == "asset",
        Comment.parent_id == asset.id,
        Comment.reply_to_id.is_(None),
        Comment.meta.has_key("annotation"),
    ]
    if share_link_id is not None:
        where.append(Comment.meta["share_link_id"].astext == str(share_link_id))
    rows = session.scalars(select(Comment).where(*where).order_by(Comment.created_at, Comment.id))
    marks = [
        DrawingMark(
            id=str(c.id),
            start=float(c.meta.get("timecode") or 0),
            end=float(c.meta["end"]) if c.meta.get("end") is not None else None,
            frame=int(c.meta.get("frame") or 0),
            shapes=list(c.meta["annotation"].get("shapes", [])),
        )
        for c in rows
        if isinstance(c.meta.get("annotation"), dict)
    ]
    return sorted(marks, key=lambda m: m.start)


def search_comments(*, session: Session, query: str, limit: int = 50) -> list[Comment]:
    """The newest comments in scope whose body matches `query` (web-search syntax).

    `comment_search_ids` finds them through the search table's GIN or tenant index within the
    caller's tenant scope (migration 0012: a GIN index on comments could not serve a query under
    RLS); the comments themselves are then read under RLS as usual."""
    query = clean_text(query, label="Search", max_length=200)
    found = select(column("comment_id")).select_from(func.comment_search_ids(query, limit))
    # `= ANY (ARRAY(...))`: at most `limit` primary-key lookups, whatever the planner guesses.
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.id == func.any(func.array(found.scalar_subquery())))
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(limit)
        )
    )
