"""Issue 16 item 11: the `make_share_rendition` job end to end — queued by the link, run by a
real procrastinate worker, ledgered with a result the `job_runs` constraint allows."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from portal.db import tenant_session
from portal.jobs.app import job_app
from portal.models import JobRun, ShareLink
from portal.services.media.assets import accept_upload
from portal.services.media.processing import process_asset
from portal.services.operations.job_runs import job_run
from portal.services.sharing.watermark import RENDITION_QUEUE, RENDITION_TASK, ready_rendition
from tests.factories import Studio
from tests.jobs.support import run_async
from tests.media_support import store
from tests.share_support import make_link

pytestmark = pytest.mark.usefixtures("database")


def drain_media_queue() -> None:
    """Run a worker on the media queue until it has nothing left to do."""
    import portal.jobs.media  # noqa: F401

    async def _run() -> None:
        async with job_app.open_async():
            await job_app.run_worker_async(
                queues=[RENDITION_QUEUE], wait=False, install_signal_handlers=False
            )

    run_async(_run)


def rendition_runs(since: set[uuid.UUID]) -> list[JobRun]:
    with tenant_session(None) as session:
        rows = session.exec(select(JobRun).where(JobRun.job_name == RENDITION_TASK)).scalars()
        return [row for row in rows if row.id not in since]


def test_queued_rendition_job_runs_and_ledgers_an_allowed_result(
    studio: Studio,
    media_dir,
    clips,
) -> None:
    asset = accept_upload(
        ctx=studio.admin_ctx,
        project_id=studio.project.id,
        title="Hero",
        stored=store(clips["with_audio.mp4"]),
    )
    process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)
    drain_media_queue()  # jobs other tests' links queued run now, not among this link's runs
    before = {run.id for run in rendition_runs(set())}
    # Creating a watermarked, downloadable link queues its rendition job.
    link = make_link(studio, asset, name="Legal", allow_download=True, watermark=True)
    drain_media_queue()
    runs = rendition_runs(before)
    assert [(run.result, run.meta.get("outcome")) for run in runs] == [("succeeded", "made")]
    assert runs[0].completed_at is not None and "error" not in runs[0].meta
    with tenant_session(studio.member_ctx) as session:
        made = ready_rendition(session, session.get(ShareLink, uuid.UUID(link.id)))
    assert made is not None and made.stat().st_size == runs[0].meta["bytes"] > 0


def test_a_result_the_ledger_refuses_fails_the_run_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="reported result 'made'"):
        with job_run("probe_bad_result") as meta:
            meta["result"] = "made"
    with tenant_session(None) as session:
        row = (
            session.exec(select(JobRun).where(JobRun.job_name == "probe_bad_result"))
            .scalars()
            .one()
        )
    assert row.result == "failed" and "reported result 'made'" in row.meta["error"]
