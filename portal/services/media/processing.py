"""Processing an uploaded asset with the local backend: processing → ready | errored.

Runs as a job (portal/jobs/media.py). ffmpeg works outside any transaction; the outcome is
written in a short one afterwards, forward only (a ready or errored asset is never redone).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from portal.db import TenantContext, tenant_session
from portal.integrations import media_local
from portal.models import Asset
from portal.services.media.mux_events import advance_asset
from portal.services.media.storage import asset_dir, source_path
from portal.settings import get_settings

log = logging.getLogger(__name__)
UNEXPECTED = "Processing failed unexpectedly. Please upload the file again."


def process_asset(*, asset_id: UUID, tenant_id: UUID) -> dict[str, Any]:
    """Probe, poster and HLS renditions for one asset; returns what the job ledger records."""
    ctx = TenantContext(tenant_id=tenant_id)
    with tenant_session(ctx) as session:
        asset = session.get(Asset, asset_id)
        if asset is None or asset.status != "processing" or asset.backend != "local":
            return {"result": "skipped", "reason": "not waiting for local processing"}
    source = source_path(tenant_id, asset_id)
    try:
        if source is None:
            raise media_local.MediaError("The uploaded file is missing; please upload it again.")
        done = media_local.process(
            source, asset_dir(tenant_id, asset_id), timeout=get_settings().ffmpeg_timeout_seconds
        )
    except media_local.MediaError as exc:
        _errored(ctx, asset_id, str(exc))
        return {"asset_id": str(asset_id), "status": "errored", "reason": str(exc)}
    except Exception:
        log.exception("processing asset %s failed", asset_id)
        _errored(ctx, asset_id, UNEXPECTED)
        raise
    with tenant_session(ctx) as session:
        p = done.probe
        row = session.get(Asset, asset_id, with_for_update=True)
        if row is None:
            return {"result": "skipped", "reason": "asset removed while processing"}
        row.frame_rate, row.width, row.height = p.frame_rate, p.width, p.height
        row.media_info = {
            "rotation": p.rotation,
            "has_audio": p.has_audio,
            "codec": p.codec,
            "renditions": [r.name for r in done.renditions],
        }
        session.add(row)
        status = advance_asset(
            session=session, asset_id=asset_id, status="ready", duration=p.duration
        )
    return {"asset_id": str(asset_id), "status": status}


def _errored(ctx: TenantContext, asset_id: UUID, reason: str) -> None:
    with tenant_session(ctx) as session:
        row = session.get(Asset, asset_id, with_for_update=True)
        if row is None:
            return
        row.error_reason = reason[:500]
        session.add(row)
        advance_asset(session=session, asset_id=asset_id, status="errored")
