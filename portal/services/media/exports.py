"""A version's review comments for the edit suite and for spreadsheets: what is exported (read
under the caller's RLS scope, like the review page), the CSV, and safe file names.

The edit-suite files (EDL, FCP 7 XML) are in exports_edit.py, the PDF report in exports_report.py.
Timecodes are the review page's: HH:MM:SS:FF non-drop-frame at the version's frame rate
(portal/services/media/timecode.py).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session, col

from portal.models import Comment, ShareDecision, ShareLink, User
from portal.services.core.locale import format_datetime
from portal.services.core.versions import deliverable_version
from portal.services.media.assets import get_asset
from portal.services.media.review import LABELS
from portal.services.media.timecode import format_timecode, frame_at

CSV_HEADER = (
    "Thread",
    "Reply",
    "Timecode",
    "Out",
    "Author",
    "Comment",
    "Resolved",
    "Created at (UTC)",
)
# Spreadsheet apps run cells starting with these as formulas: such cells get a leading quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a download's file name keeps: plain letters, digits, spaces, dots, dashes, underscores.
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9 ._-]+")
NO_AUTHOR = "Studio team"


@dataclass(frozen=True)
class ExportComment:
    """One comment as exported; replies carry their thread's time."""

    thread: int  # 1, 2, … in timecode order
    is_reply: bool
    seconds: float
    end: float | None  # a range's out point (on the thread's first comment)
    author: str
    body: str
    resolved: bool
    created_at: datetime
    drawing: dict[str, Any] | None = None


@dataclass(frozen=True)
class CommentExport:
    """A version and its comments, as every export format needs them."""

    asset_id: UUID
    tenant_id: UUID
    title: str
    version_label: str  # v1, v2, …
    fps: float
    duration: float | None
    filename: str
    backend: str
    playback_id: str | None
    review_label: str
    reviewed: str  # "Approved by Ada · 3 Mar 2026, 10:15 am" or ""
    comments: list[ExportComment] = field(default_factory=list)
    # Clients' latest decisions through share links, newest first (one line each).
    client_decisions: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The version as people name it: "Hero film v2"."""
        return f"{self.title} {self.version_label}"

    def roots(self) -> list[ExportComment]:
        """Each thread's first comment (one marker, one report page each)."""
        return [c for c in self.comments if not c.is_reply]

    def replies(self, thread: int) -> list[ExportComment]:
        return [c for c in self.comments if c.is_reply and c.thread == thread]

    def frame(self, seconds: float) -> int:
        """The frame shown at `seconds` (the review page's frame)."""
        return frame_at(seconds, self.fps)

    def timecode(self, seconds: float | None) -> str:
        return format_timecode(seconds, self.fps) if seconds is not None else ""


DECISION_LABELS = {"approved": "Approved", "changes_requested": "Changes requested"}


def client_decision_lines(session: Session, asset_id: UUID) -> list[str]:
    """Each client's latest decision per share link on this version, newest first:
    "Approved by Jane Client via “Agency cut” · 8 Dec 2026, 11:02 am: note"."""
    rows = session.execute(
        select(ShareDecision, col(ShareLink.name))
        .join(ShareLink, col(ShareLink.id) == col(ShareDecision.share_link_id))
        .where(col(ShareDecision.asset_id) == asset_id)
        .order_by(col(ShareDecision.created_at).desc(), col(ShareDecision.id).desc())
    ).all()
    seen: set[tuple[UUID, str]] = set()
    lines = []
    for row, link_name in rows:
        who = (row.share_link_id, row.email.lower())
        if who in seen:
            continue
        seen.add(who)
        label = DECISION_LABELS.get(row.decision, row.decision)
        line = f"{label} by {row.name} via “{link_name or 'Shared link'}”"
        line += f" · {format_datetime(row.created_at)}"
        lines.append(f"{line}: {row.note}" if row.note else line)
    return lines


def comment_export(*, session: Session, asset_id: UUID | str) -> CommentExport:
    """A version's comments in timecode order, each thread followed by its replies (another
    tenant's version, a deleted one or a malformed id: NotFound)."""
    asset = get_asset(session=session, asset_id=asset_id)
    rows = session.execute(
        select(Comment, func.coalesce(User.name, User.email))
        .outerjoin(User, col(User.id) == col(Comment.author_id))
        .where(col(Comment.parent_type) == "asset", col(Comment.parent_id) == asset.id)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    roots = sorted(
        (r for r in rows if r[0].reply_to_id is None),
        key=lambda r: (float(r[0].meta.get("timecode") or 0), r[0].created_at),
    )
    replies: dict[UUID, list[Any]] = {}
    for row in rows:
        if row[0].reply_to_id is not None:
            replies.setdefault(row[0].reply_to_id, []).append(row)
    comments = []
    for number, (root, root_author) in enumerate(roots, start=1):
        seconds = float(root.meta.get("timecode") or 0)
        end = root.meta.get("end")
        resolved = bool(root.meta.get("resolved"))
        drawing = root.meta.get("annotation")
        for c, author in [(root, root_author), *replies.get(root.id, [])]:
            comments.append(
                ExportComment(
                    thread=number,
                    is_reply=c.reply_to_id is not None,
                    seconds=seconds,
                    end=float(end) if end is not None and c.reply_to_id is None else None,
                    author=author or NO_AUTHOR,
                    body=c.body,
                    resolved=resolved,
                    created_at=c.created_at or datetime.now(UTC),
                    drawing=drawing
                    if c.reply_to_id is None and isinstance(drawing, dict)
                    else None,
                )
            )
    reviewed = ""
    if asset.reviewed_at is not None and asset.review_status != "in_review":
        reviewer = session.get(User, asset.reviewed_by) if asset.reviewed_by else None
        who = (reviewer.name or reviewer.email) if reviewer else "someone"
        reviewed = f"{LABELS[asset.review_status]} by {who} · {format_datetime(asset.reviewed_at)}"
    return CommentExport(
        asset_id=asset.id,
        tenant_id=asset.tenant_id,
        title=asset.title,
        version_label=f"v{deliverable_version(session, asset)}",
        fps=float(asset.frame_rate or 25),
        duration=float(asset.duration) if asset.duration is not None else None,
        filename=asset.original_filename or "",
        backend=asset.backend,
        playback_id=asset.mux_playback_id,
        review_label=LABELS.get(asset.review_status, asset.review_status),
        reviewed=reviewed,
        comments=comments,
        client_decisions=client_decision_lines(session, asset.id),
    )


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def comments_csv(export: CommentExport) -> str:
    """The comments as CSV (UTF-8 with a byte-order mark, so Excel reads accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for c in export.comments:
        created = c.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        row = (
            str(c.thread),
            "yes" if c.is_reply else "",
            export.timecode(c.seconds),
            export.timecode(c.end),
            c.author,
            c.body,
            "yes" if c.resolved else "no",
            created,
        )
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def file_name(export: CommentExport, suffix: str) -> str:
    """A download name in plain ASCII: "Hero film v2 comments.csv"."""
    plain = unicodedata.normalize("NFKD", export.name).encode("ascii", "ignore").decode()
    cleaned = " ".join(UNSAFE_NAME.sub("-", plain).split()).strip(" .-")[:100]
    return f"{cleaned or 'version'} {suffix}"
