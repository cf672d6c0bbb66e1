"""Media jobs: processing an uploaded asset, watermarked share downloads (local ffmpeg), review
reports too long to make while a request waits, and share links following a new version."""

from __future__ import annotations

from uuid import UUID

from portal.integrations.job_queue import SHARE_VERSION_QUEUE, SHARE_VERSION_TASK
from portal.jobs.app import job_app
from portal.services.media.assets import MEDIA_QUEUE, PROCESS_ASSET_TASK
from portal.services.media.exports_report import REPORT_QUEUE, REPORT_TASK, make_report_job
from portal.services.media.processing import process_asset
from portal.services.operations.job_runs import job_run
from portal.services.sharing.follow import follow_new_version
from portal.services.sharing.watermark import RENDITION_QUEUE, RENDITION_TASK, make_rendition


@job_app.task(name=PROCESS_ASSET_TASK, queue=MEDIA_QUEUE)
def process_asset_task(asset_id: str, tenant_id: str) -> None:
    """Probe, poster and HLS renditions for one uploaded asset; its status follows."""
    with job_run(PROCESS_ASSET_TASK) as meta:
        meta.update(process_asset(asset_id=UUID(asset_id), tenant_id=UUID(tenant_id)))


@job_app.task(name=RENDITION_TASK, queue=RENDITION_QUEUE)
def make_share_rendition_task(link_id: str, tenant_id: str) -> None:
    """The watermarked download of one share link (cached per link and watermark text)."""
    with job_run(RENDITION_TASK) as meta:
        meta.update(make_rendition(link_id=UUID(link_id), tenant_id=UUID(tenant_id)))


@job_app.task(name=REPORT_TASK, queue=REPORT_QUEUE)
def make_report_task(asset_id: str, tenant_id: str) -> None:
    """The PDF review report of one version (kept until its comments change)."""
    with job_run(REPORT_TASK) as meta:
        meta.update(make_report_job(asset_id=UUID(asset_id), tenant_id=UUID(tenant_id)))


@job_app.task(name=SHARE_VERSION_TASK, queue=SHARE_VERSION_QUEUE)
def share_new_version_task(asset_id: str, tenant_id: str) -> None:
    """A version is ready: links that follow the latest move to it, their clients are told."""
    with job_run(SHARE_VERSION_TASK) as meta:
        meta.update(follow_new_version(asset_id=UUID(asset_id), tenant_id=UUID(tenant_id)))
