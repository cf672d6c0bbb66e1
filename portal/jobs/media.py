"""Media jobs: processing an uploaded asset (local ffmpeg backend)."""

from __future__ import annotations

from uuid import UUID

from portal.jobs.app import job_app
from portal.services.assets import MEDIA_QUEUE, PROCESS_ASSET_TASK
from portal.services.job_runs import job_run
from portal.services.media_processing import process_asset


@job_app.task(name=PROCESS_ASSET_TASK, queue=MEDIA_QUEUE)
def process_asset_task(asset_id: str, tenant_id: str) -> None:
    """Probe, poster and HLS renditions for one uploaded asset; its status follows."""
    with job_run(PROCESS_ASSET_TASK) as meta:
        meta.update(process_asset(asset_id=UUID(asset_id), tenant_id=UUID(tenant_id)))
