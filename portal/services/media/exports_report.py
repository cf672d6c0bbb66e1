"""The PDF review report of a version (fpdf2): a cover (title, version, file, the studio's
approval and the clients' decisions through share links, counts)
and one page per comment thread: its timecode, author, the frame grab at that time with the
comment's drawing over it (frame_grabs.py), the text and the replies.

A report takes a frame grab per thread, so a long thread is slow (docs/exports.md has the
figures): reports of up to INLINE_THREADS threads are made while the request waits, longer ones
by a job. Either way the file is kept beside the version's media, named by a fingerprint of
everything it shows, so the same report is never made twice and any change makes a new one.

While the file is missing, `request_report` decides under a per-version lock what the waiting
page says: a job waits or runs ("preparing", nothing queued), the last job failed ("failed",
nothing queued until the user asks to try again: then one job), else one job is queued.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from uuid import UUID

from fpdf import FPDF
from PIL import Image
from sqlalchemy import func, select
from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.integrations.job_queue import defer_job, latest_job
from portal.services.core.locale import format_datetime
from portal.services.media.exports import CommentExport, comment_export
from portal.services.media.frame_grabs import frame_grabs
from portal.services.media.storage import asset_dir
from portal.services.media.timecode import format_duration
from portal.settings import get_settings

REPORT_TASK = "export_report"
REPORT_QUEUE = "media"
INLINE_THREADS = 5  # measured: docs/exports.md
PAGE_WIDTH = 180.0  # mm inside A4's 15 mm margins
KEEP_RECENT_SECONDS = 600
MAX_PICTURE_HEIGHT = 120.0  # mm: a portrait video stays on its page with its text
# A running report job whose worker sent no heartbeat for this long is taken as gone.
WORKER_GRACE = timedelta(seconds=30)
ReportState = Literal["preparing", "failed"]


def fingerprint(export: CommentExport) -> str:
    """A digest of everything the report shows (a new comment, reply, resolve or decision
    changes it)."""
    facts = [export.name, export.filename, export.review_label, export.reviewed, export.fps]
    facts.append(export.client_decisions)
    for c in export.comments:
        facts.append(
            [c.thread, c.is_reply, c.seconds, c.end, c.author, c.body, c.resolved]
            + [c.created_at.isoformat(), c.drawing]
        )
    raw = json.dumps(facts, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def report_path(export: CommentExport) -> Path:
    """Where this export's report is kept (it exists once made)."""
    folder = asset_dir(export.tenant_id, export.asset_id) / "exports"
    return folder / f"report-{fingerprint(export)}.pdf"


def make_report(export: CommentExport) -> Path:
    """Make (or find) the report file; older reports of the version are removed."""
    target = report_path(export)
    if target.is_file():
        return target
    data = report_pdf(export)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)  # whole or not at all
    # Older reports go, but not one made in the last minutes: a request may be sending it.
    for old in target.parent.glob("report-*.pdf"):
        if old != target and old.stat().st_mtime < time.time() - KEEP_RECENT_SECONDS:
            old.unlink(missing_ok=True)
    return target


def queue_report(*, session: Session, export: CommentExport) -> None:
    """Have a job make the report (one waiting job per version at a time)."""
    defer_job(
        session,
        task=REPORT_TASK,
        queue=REPORT_QUEUE,
        args={"asset_id": str(export.asset_id), "tenant_id": str(export.tenant_id)},
        queueing_lock=f"report:{export.asset_id}",
    )


def request_report(*, session: Session, export: CommentExport, retry: bool = False) -> ReportState:
    """The report is not made yet: queue its job unless one waits or runs ("preparing"); when
    the last one failed, say so ("failed") and queue nothing, unless `retry` (the user asked to
    try again): then one job. Concurrent requests for a version take turns on a transaction
    lock, so they never queue more than one job."""
    key = f"report:{export.asset_id}"
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    state = latest_job(
        session, task=REPORT_TASK, key="asset_id", value=str(export.asset_id), grace=WORKER_GRACE
    )
    if state in ("todo", "doing"):
        return "preparing"
    if state == "failed" and not retry:
        return "failed"
    queue_report(session=session, export=export)
    return "preparing"


def make_report_job(*, asset_id: UUID, tenant_id: UUID) -> dict[str, object]:
    """The job's work: read the version in its tenant, make its report (what the ledger keeps)."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        export = comment_export(session=session, asset_id=asset_id)
    started = datetime.now(UTC)
    path = make_report(export)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return {"threads": len(export.roots()), "bytes": path.stat().st_size, "seconds": seconds}


class _Report(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)
        regular = get_settings().watermark_font
        bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
        self.unicode = regular.is_file() and bold.is_file()
        if self.unicode:
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold))

    def write_line(self, text: str, *, size: float = 10, bold: bool = False) -> None:
        family = "body" if self.unicode else "helvetica"
        self.set_font(family, "B" if bold else "", size)
        if not self.unicode:  # the core fonts are Latin-1 only
            text = text.encode("latin-1", "replace").decode("latin-1")
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def _cover(pdf: _Report, export: CommentExport) -> None:
    roots = export.roots()
    open_threads = sum(1 for c in roots if not c.resolved)
    pdf.add_page()
    pdf.write_line("Review report", size=22, bold=True)
    pdf.write_line(export.name, size=16)
    pdf.ln(4)
    duration = format_duration(export.duration) or "unknown"
    pdf.write_line(f"Version: {export.version_label} of “{export.title}”")
    if export.filename:
        pdf.write_line(f"File: {export.filename}")
    pdf.write_line(f"Duration: {duration} at {export.fps:g} fps (timecodes HH:MM:SS:FF)")
    pdf.write_line(f"Studio approval: {export.reviewed or export.review_label}", bold=True)
    if export.client_decisions:
        pdf.write_line("Client decisions (share links):", bold=True)
        for line in export.client_decisions:
            pdf.write_line(f"• {line}", size=9)
    replies = len(export.comments) - len(roots)
    pdf.write_line(
        f"Comments: {_count(len(roots), 'thread')} ({open_threads} open), "
        f"{_count(replies, 'reply', 'replies')}"
    )
    pdf.write_line(f"Report made {format_datetime(datetime.now(UTC))}", size=8)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _picture(pdf: _Report, picture: Image.Image) -> None:
    w, h = picture.size
    width = min(PAGE_WIDTH, MAX_PICTURE_HEIGHT * w / h)
    raw = io.BytesIO()
    picture.save(raw, "JPEG", quality=85)
    pdf.image(raw, x=15 + (PAGE_WIDTH - width) / 2, w=width)
    pdf.ln(3)


def report_pdf(export: CommentExport) -> bytes:
    """The report as PDF bytes (the frame grabs are taken here: slow for long threads)."""
    pdf = _Report()
    pdf.set_title(f"Review report: {export.name}")
    _cover(pdf, export)
    for comment, picture in zip(export.roots(), frame_grabs(export), strict=True):
        pdf.add_page()
        span = export.timecode(comment.seconds)
        if comment.end is not None:
            span += f" – {export.timecode(comment.end)}"
        state = "Resolved" if comment.resolved else "Open"
        pdf.write_line(f"#{comment.thread}  {span}  ·  {state}", size=14, bold=True)
        pdf.write_line(f"{comment.author} · {format_datetime(comment.created_at)}", size=9)
        _picture(pdf, picture)
        pdf.write_line(comment.body, size=11)
        for reply in export.replies(comment.thread):
            pdf.write_line(f"Reply from {reply.author}: {reply.body}", size=9)
    return bytes(pdf.output())
