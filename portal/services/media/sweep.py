"""Assets stuck in `uploading` or `processing`: re-queue local processing once, else say why.

An asset is stuck when it has not changed for `ASSET_STUCK_MINUTES` and no live job works on it
(a waiting job, or a running one whose worker still sends heartbeats: a worker killed mid-job
leaves its job `doing` forever). Local processing is queued again once (the asset's media_info
remembers it); a second strike, an upload that never finished, or a Mux direct upload Mux never
reported, ends `errored` with a reason the asset page shows. Mux assets in `processing` are
left to Mux's webhooks (their delivery is retried; an errored asset could not become ready).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlmodel import Session, select

from portal.db import TenantContext, tenant_session
from portal.integrations.job_queue import live_jobs
from portal.models import Asset, Tenant
from portal.services.media.assets import PROCESS_ASSET_TASK, queue_processing
from portal.services.media.mux_events import advance_asset
from portal.settings import get_settings

log = logging.getLogger(__name__)
REQUEUED = "sweep_requeued_at"
# A running job's worker is alive while its heartbeat is this recent (procrastinate prunes
# workers after 30 s without one; ours beat every 5 s).
HEARTBEAT_GRACE = timedelta(seconds=30)
AGAIN = "Processing stopped before it finished, twice; please upload the file again."
NEVER_UPLOADED = "The upload did not finish; please upload the file again."
MUX_SILENT = "Mux never reported this upload as received; please upload the file again."


@dataclass(frozen=True)
class Stuck:
    id: UUID
    backend: str
    status: str


def sweep_stuck_assets(*, now: datetime | None = None) -> dict[str, int]:
    """Every tenant's stuck assets, re-queued or errored; counts for the job ledger."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(minutes=get_settings().asset_stuck_minutes)
    counts = {"requeued": 0, "errored": 0, "failed": 0}
    with tenant_session(None) as session:
        tenants = list(session.scalars(select(Tenant.id).order_by(Tenant.id)))
    for tenant_id in tenants:
        with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
            for asset in _stuck(session, cutoff):
                try:
                    with session.begin_nested():  # one asset's trouble spares the others
                        outcome = _resolve(session, asset, cutoff, now)
                except Exception:
                    log.exception("stuck-asset sweep: asset %s", asset.id)
                    outcome = "failed"
                if outcome:
                    counts[outcome] += 1
    return counts


def _stuck(session: Session, cutoff: datetime) -> list[Stuck]:
    rows = session.exec(
        select(Asset.id, Asset.backend, Asset.status).where(
            Asset.status.in_(("uploading", "processing")), Asset.updated_at < cutoff
        )
    ).all()
    if not rows:
        return []
    ids = [str(r.id) for r in rows]
    live = live_jobs(
        session, task=PROCESS_ASSET_TASK, key="asset_id", values=ids, grace=HEARTBEAT_GRACE
    )
    return [Stuck(r.id, r.backend, r.status) for r in rows if str(r.id) not in live]


def _resolve(session: Session, stuck: Stuck, cutoff: datetime, now: datetime) -> str | None:
    """Re-check under the row lock (it may have moved on meanwhile), then act."""
    asset = session.get(Asset, stuck.id, with_for_update=True, populate_existing=True)
    if asset is None or asset.status != stuck.status or asset.updated_at >= cutoff:
        return None
    if asset.backend == "local" and asset.status == "processing":
        if REQUEUED not in (asset.media_info or {}):
            asset.media_info = {**(asset.media_info or {}), REQUEUED: now.isoformat()}
            session.add(asset)
            session.flush()
            queue_processing(session, asset)
            return "requeued"
        return _error(session, asset, AGAIN)
    if asset.status == "uploading":
        return _error(session, asset, MUX_SILENT if asset.backend == "mux" else NEVER_UPLOADED)
    return None  # Mux processing: Mux's webhooks decide


def _error(session: Session, asset: Asset, reason: str) -> str:
    asset.error_reason = reason
    session.add(asset)
    advance_asset(session=session, asset_id=asset.id, status="errored")
    return "errored"
