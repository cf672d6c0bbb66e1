"""What a share link's download is, decided in one place for the client page (which button it
shows) and the download endpoint (what it serves).

A watermarked link never serves the clean master: its download is the copy with the watermark
burned in, offered once that copy exists (its job is queued until then). A version hosted on Mux
downloads from Mux's MP4 rendition, so a watermarked link to one has no download at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from uuid import UUID

from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.models import Asset, ShareLink
from portal.services.sharing.watermark import queue_rendition, ready_rendition

# none: no download on this link; refused: watermarked, but the master is on Mux; preparing:
# the watermarked copy is being made; watermarked: that copy is ready (`path`); master: the
# stored original; mux: Mux's MP4 rendition (the endpoint mints its URL).
Kind = Literal["none", "refused", "preparing", "watermarked", "master", "mux"]


@dataclass(frozen=True)
class ShareDownload:
    """A link's download as of now."""

    kind: Kind
    path: Path | None = None

    @property
    def offered(self) -> bool:
        """Whether the client page offers a download button."""
        return self.kind in ("watermarked", "master", "mux")


def decide_download(*, session: Session, link: ShareLink, asset: Asset) -> ShareDownload:
    """The link's download, in the link's tenant transaction `session`; a watermarked copy not
    yet made has its job queued in it."""
    if not link.allow_download:
        return ShareDownload("none")
    if asset.backend == "mux":
        return ShareDownload("refused" if link.watermark else "mux")
    if asset.backend != "local":
        return ShareDownload("none")
    if not link.watermark:
        return ShareDownload("master")
    ready = ready_rendition(session, link)
    if ready is None:
        queue_rendition(session, link)
        return ShareDownload("preparing")
    return ShareDownload("watermarked", ready)


def link_download(*, tenant_id: UUID, link_id: UUID) -> ShareDownload:
    """decide_download for a link by id (the client page, which holds no rows)."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        link = session.get(ShareLink, link_id)
        asset = session.get(Asset, link.asset_id) if link is not None else None
        if link is None or asset is None:
            return ShareDownload("none")
        return decide_download(session=session, link=link, asset=asset)
