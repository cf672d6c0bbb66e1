"""Watermarks on share links: the text the client page overlays, and the downloadable rendition
with a watermark burned in (ffmpeg drawtext, made by a job, cached per link).

The overlay is a deterrent, not a forensic mark: it names the viewer (as they gave themselves at
the passcode or comment step, else "Guest"), the link and today's date. The burned-in rendition
is made once per link, so it cannot name a viewer: it carries the link's name, the owner's name
and the day the link was made. Its file name holds a hash of that text, so a changed text makes
a new rendition (the old ones are removed). A watermarked link never serves the clean master:
media hosted on Mux cannot get a watermark burned in, so such a link has no download at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.integrations import media_local
from portal.integrations.job_queue import defer_job
from portal.models import Asset, ShareLink, Tenant
from portal.services.core.locale import format_date, format_local_date, local_date
from portal.services.media.storage import asset_dir, source_path
from portal.services.sharing.rules import burnable, effective_status
from portal.settings import get_settings

log = logging.getLogger(__name__)
RENDITION_TASK = "make_share_rendition"
RENDITION_QUEUE = "media"
GUEST = "Guest"
MAX_VIEWER = 120
# Where the text is drawn, as fractions of the picture: a loose tile of five copies.
SPOTS = ((0.04, 0.08), (0.52, 0.08), (0.28, 0.45), (0.04, 0.8), (0.52, 0.8))


def overlay_text(*, viewer: str | None, link_name: str, today: date | None = None) -> str:
    """The client page's overlay: viewer · link · date (rendered as text, never as HTML)."""
    who = " ".join((viewer or "").split())[:MAX_VIEWER] or GUEST
    day = format_date(today or local_date(datetime.now(UTC)))
    return f"{who} · {link_name or 'Shared link'} · {day}"


def burn_text(link: ShareLink, owner: str) -> str:
    """The text burned into a link's download: the link, its owner and the day it was made."""
    made = format_local_date(link.created_at)
    return f"{link.name or 'Shared link'} · {owner} · shared {made}"


def _folder(link: ShareLink) -> Path:
    return asset_dir(link.tenant_id, link.asset_id) / "share"


def rendition_path(link: ShareLink, text: str) -> Path:
    """Where this link's rendition for this text lives (the hash changes with the text)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return _folder(link) / f"{link.id}-{digest}.mp4"


def _owner_name(session: Session, link: ShareLink) -> str:
    tenant = session.get(Tenant, link.tenant_id)
    return tenant.name if tenant is not None else "Motion Mavericks"


def ready_rendition(session: Session, link: ShareLink) -> Path | None:
    """The finished rendition for the link's current text, or None (still to be made)."""
    path = rendition_path(link, burn_text(link, _owner_name(session, link)))
    return path if path.is_file() else None


def queue_rendition(session: Session, link: ShareLink) -> bool:
    """Defer the rendition job (in this transaction) when the link needs one and lacks it."""
    if not (link.watermark and link.allow_download) or ready_rendition(session, link):
        return False
    if not burnable(session.get(Asset, link.asset_id)):
        return False
    return defer_job(
        session,
        task=RENDITION_TASK,
        queue=RENDITION_QUEUE,
        args={"link_id": str(link.id), "tenant_id": str(link.tenant_id)},
        queueing_lock=f"share-rendition:{link.id}",
    )


def _quoted(path: Path) -> str:
    """A path as one quoted drawtext option value."""
    return "'" + str(path).replace("'", "'\\''") + "'"


def drawtext_filter(textfile: Path, height: int | None) -> str:
    """Five semi-transparent copies of the text read from `textfile` (never parsed: no
    expansion), in the configured font when present (else fontconfig's sans)."""
    font = get_settings().watermark_font
    size = max(12, (height or 720) // 22)
    common = [
        f"textfile={_quoted(textfile)}",
        "expansion=none",
        f"fontsize={size}",
        "fontcolor=white@0.45",
        "borderw=2",
        "bordercolor=black@0.35",
    ]
    if font.is_file():
        common.insert(0, f"fontfile={_quoted(font)}")
    else:
        common.insert(0, "font=Sans")
    return ",".join("drawtext=" + ":".join([*common, f"x=w*{x}", f"y=h*{y}"]) for x, y in SPOTS)


def burn(source: Path, target: Path, text: str, *, height: int | None, timeout: int) -> None:
    """Encode `source` with the text burned in to `target` (written whole, then renamed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    textfile = target.with_suffix(".txt")
    partial = target.with_suffix(".part.mp4")
    textfile.write_text(text, encoding="utf-8")
    try:
        args = ["-y", "-i", str(source), "-vf", drawtext_filter(textfile, height)]
        args += ["-map", "0:v:0", "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast"]
        args += ["-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart"]
        done = media_local._run([*args, str(partial)], timeout=timeout)
        if done.returncode != 0 or not partial.is_file():
            tail = done.stderr.strip().splitlines()[-1:] if done.stderr else []
            raise media_local.MediaError(f"The watermarked copy could not be made. {tail}")
        os.replace(partial, target)
    finally:
        textfile.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)


def make_rendition(*, link_id: UUID, tenant_id: UUID) -> dict[str, Any]:
    """The job: burn the link's current text into a copy of its version (old copies removed).

    Its dict becomes the run's `job_runs.meta`: `result` only when it is one the ledger allows
    (`skipped`); a copy made or found says so in `outcome`."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        link = session.get(ShareLink, link_id)
        asset = session.get(Asset, link.asset_id) if link is not None else None
        if link is None or asset is None or not (link.watermark and link.allow_download):
            return {"result": "skipped", "reason": "no watermarked download on this link"}
        if effective_status(link) not in ("active", "exhausted") or not burnable(asset):
            return {"result": "skipped", "reason": "link not live or media not local"}
        text = burn_text(link, _owner_name(session, link))
    target = rendition_path(link, text)
    if target.is_file():
        return {"outcome": "cached", "link_id": str(link_id)}
    source = source_path(tenant_id, asset.id)
    if source is None:
        return {"result": "skipped", "reason": "the master file is missing"}
    burn(source, target, text, height=asset.height, timeout=get_settings().ffmpeg_timeout_seconds)
    for old in _folder(link).glob(f"{link.id}-*.mp4"):
        if old != target:
            old.unlink(missing_ok=True)
    return {"outcome": "made", "link_id": str(link_id), "bytes": target.stat().st_size}


def link_name(*, tenant_id: UUID, link_id: UUID) -> str:
    """The link's name for the overlay ("" when unnamed)."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        link = session.get(ShareLink, link_id)
        return link.name if link is not None else ""
