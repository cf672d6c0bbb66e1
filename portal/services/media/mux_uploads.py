"""Uploads with the Mux backend: a version row plus a Mux direct upload the browser sends the
file to; Mux's webhooks then drive the status (services/media/mux_events.py).

The row exists (status `uploading`) while the browser sends the bytes. A cancelled or failed
upload is discarded (status `deleted`, with the reason, and Mux's upload URL closed), so it never
shows as a deliverable; one whose tab simply closed is errored by the stuck-asset sweep
(services/media/sweep.py) once Mux has stayed silent for ASSET_STUCK_MINUTES.

Versions uploaded before uploads asked Mux for an MP4 download get one from `backfill_mp4`
(`portal mux backfill-mp4`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlmodel import select

from portal.db import TenantContext, tenant_session
from portal.integrations import mux
from portal.models import Asset
from portal.services.core.errors import InvalidInput, MuxUnavailable
from portal.services.core.validation import parse_uuid
from portal.services.media.assets import create_asset_version
from portal.services.media.mux_events import advance_asset
from portal.services.media.storage import check_declared_size, clean_filename

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MuxUpload:
    """Where the browser sends the file (the URL is single-use and expires within the hour)."""

    asset_id: str
    upload_url: str


def start_mux_upload(
    *,
    ctx: TenantContext,
    project_id: UUID | str,
    title: str,
    filename: str,
    cors_origin: str,
    size: int | None = None,
    milestone_id: UUID | str | None = None,
) -> MuxUpload:
    """Create the next version (status uploading) and its Mux direct upload, together: when
    Mux refuses or times out, the transaction rolls back and no row is left.

    `filename` and `size` are what the browser declares for the chosen file: the type and the
    size limit are checked here, before Mux is asked for anything."""
    filename = clean_filename(filename)
    if size is not None:
        size = check_declared_size(size)
    if not cors_origin.startswith(("http://", "https://")):
        raise InvalidInput("The upload origin is not a web address.")
    with tenant_session(ctx) as session:
        asset = create_asset_version(
            session=session,
            project_id=parse_uuid(project_id),
            title=title,
            uploader_id=ctx.user_id,
            milestone_id=parse_uuid(milestone_id, required=False),
            backend="mux",
            original_filename=filename,
            size_bytes=size,
        )
        try:
            upload = mux.create_direct_upload(asset_id=str(asset.id), cors_origin=cors_origin)
        except mux.MuxError as exc:
            raise MuxUnavailable(str(exc)) from None
        asset.mux_upload_id = upload.upload_id
        session.add(asset)
    return MuxUpload(asset_id=str(asset.id), upload_url=upload.url)


def discard_mux_upload(*, ctx: TenantContext, asset_id: UUID | str, reason: str) -> bool:
    """The browser cancelled (or failed) the upload it started: the version, still `uploading`,
    becomes `deleted` with the reason and Mux's upload URL is closed. Only the uploader's own
    Mux upload that Mux has not yet reported is touched; False when there was nothing to do."""
    with tenant_session(ctx) as session:
        asset = session.get(Asset, parse_uuid(asset_id), with_for_update=True)
        if (
            asset is None
            or asset.backend != "mux"
            or asset.status != "uploading"
            or asset.uploader_id != ctx.user_id
        ):
            return False
        asset.error_reason = reason[:500]
        session.add(asset)
        advance_asset(session=session, asset_id=asset.id, status="deleted")
        upload_id = asset.mux_upload_id
    if upload_id:
        try:
            mux.cancel_direct_upload(upload_id)
        except mux.MuxError as exc:
            # A late upload would only make a Mux asset whose events find this version deleted.
            log.warning("closing Mux upload of asset %s: %s", asset_id, exc)
    return True


@dataclass
class Mp4Backfill:
    """What `portal mux backfill-mp4` did, per Mux asset id."""

    asked: list[str] = field(default_factory=list)  # MP4 requested now
    had: list[str] = field(default_factory=list)  # already has or is making one: not asked
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, Mux's refusal)


def mux_asset_ids(tenant_ids: Iterable[UUID]) -> list[str]:
    """The Mux asset ids of every ready Mux-hosted version of these tenants (each read under
    its own tenant context: assets carry RLS)."""
    found: dict[str, None] = {}
    for tenant_id in tenant_ids:
        with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
            query = (
                select(Asset.mux_asset_id)
                .where(Asset.backend == "mux", Asset.status == "ready")
                .where(Asset.mux_asset_id.is_not(None))  # type: ignore[union-attr]
                .order_by(Asset.created_at)
            )
            found.update(dict.fromkeys(session.exec(query)))
    return list(found)


def backfill_mp4(*, tenant_ids: Iterable[UUID], dry_run: bool = False) -> Mp4Backfill:
    """Ask Mux for the `highest.mp4` download of each ready Mux version that lacks one.

    Idempotent: Mux is asked first what the asset has, so a re-run (or an asset that got its MP4
    at upload) asks nothing again. With `dry_run`, nothing is requested."""
    report = Mp4Backfill()
    for asset_id in mux_asset_ids(tenant_ids):
        try:
            if mux.download_rendition_status(asset_id) is not None:
                report.had.append(asset_id)
                continue
            if not dry_run:
                mux.request_download_rendition(asset_id)
            report.asked.append(asset_id)
        except mux.MuxError as exc:
            report.failed.append((asset_id, str(exc)))
    return report
