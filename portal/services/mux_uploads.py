"""Uploads with the Mux backend: a version row plus a Mux direct upload the browser sends the
file to; Mux's webhooks then drive the status (services/media_events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from portal.db import TenantContext, tenant_session
from portal.integrations import mux
from portal.services.assets import create_asset_version
from portal.services.errors import InvalidInput, PortalError
from portal.services.media_storage import clean_filename
from portal.services.validation import parse_uuid


class MuxUnavailable(PortalError):
    user_message = "The video service is not answering. Please try again in a minute."


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
    milestone_id: UUID | str | None = None,
) -> MuxUpload:
    """Create the next version (status uploading) and its Mux direct upload, together: when
    Mux refuses or times out, the transaction rolls back and no row is left."""
    filename = clean_filename(filename)
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
        )
        try:
            upload = mux.create_direct_upload(asset_id=str(asset.id), cors_origin=cors_origin)
        except mux.MuxError as exc:
            raise MuxUnavailable(str(exc)) from None
        asset.mux_upload_id = upload.upload_id
        session.add(asset)
    return MuxUpload(asset_id=str(asset.id), upload_url=upload.url)
