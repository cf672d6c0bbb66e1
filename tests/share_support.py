"""Share-link test helpers: a ready version with tiny media files, and links made by the service."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from portal.db import tenant_session
from portal.models import Asset
from portal.services.media.storage import asset_dir
from portal.services.sharing.links import NewShareLink, create_share_link
from tests.factories import Studio

MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n720p/index.m3u8\n"


@dataclass
class Shared:
    """A studio, a ready version of its agency's project, and one link to it."""

    studio: Studio
    asset: Asset
    link: NewShareLink

    @property
    def token(self) -> str:
        return self.link.url.rsplit("/", 1)[1]


def ready_asset(studio: Studio, *, title: str = "Hero film", version: int | None = None) -> Asset:
    with tenant_session(studio.admin_ctx) as session:
        if version is None:
            latest = select(func.max(Asset.version)).where(Asset.project_id == studio.project.id)
            version = (session.scalar(latest) or 0) + 1
        asset = Asset(
            tenant_id=studio.agency.id,
            project_id=studio.project.id,
            uploader_id=studio.admin.id,
            title=title,
            version=version,
            status="ready",
            duration=Decimal("10"),
            frame_rate=Decimal("25"),
            original_filename="hero.mp4",
        )
        session.add(asset)
        session.flush()
    return asset


def move_to_mux(studio: Studio, asset: Asset, playback_id: str, **values) -> Asset:
    """The version as the Mux backend leaves it once ready: hosted by Mux, a signed playback id."""
    with tenant_session(studio.admin_ctx) as session:
        row = session.get(Asset, asset.id)
        row.backend, row.mux_playback_id = "mux", playback_id
        row.mux_asset_id = f"mux-{playback_id}"
        for key, value in values.items():
            setattr(row, key, value)
        session.add(row)
        session.flush()
        session.refresh(row)
        session.expunge(row)
    return row


def write_media(asset: Asset) -> Path:
    """Poster, master playlist, one segment and a source file where the local backend keeps them."""
    folder = asset_dir(asset.tenant_id, asset.id)
    (folder / "hls" / "720p").mkdir(parents=True, exist_ok=True)
    (folder / "poster.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 32)
    (folder / "hls" / "master.m3u8").write_text(MASTER)
    (folder / "hls" / "720p" / "seg_00000.ts").write_bytes(b"\x47" * 188)
    (folder / "source.mp4").write_bytes(b"source-bytes")
    return folder


def make_link(studio: Studio, asset: Asset, **options) -> NewShareLink:
    with tenant_session(studio.member_ctx) as session:
        return create_share_link(
            session=session, asset_id=asset.id, created_by=studio.member.id, **options
        )


def token_of(link: NewShareLink) -> str:
    return link.url.rsplit("/", 1)[1]


def shared(studio: Studio, **options) -> Shared:
    asset = ready_asset(studio)
    return Shared(studio, asset, make_link(studio, asset, **options))
