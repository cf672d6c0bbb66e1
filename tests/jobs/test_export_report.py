"""The `export_report` job end to end: a long review report is queued by the PDF route's
service, run by a real procrastinate worker on the media queue, ledgered, and then served."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import JobRun
from portal.services.media.comments import add_asset_comment
from portal.services.media.exports import comment_export
from portal.services.media.exports_report import REPORT_TASK, queue_report, report_path
from tests.factories import Studio
from tests.jobs.test_share_rendition import drain_media_queue
from tests.share_support import ready_asset

pytestmark = pytest.mark.usefixtures("database")


def test_queued_report_job_makes_the_report_and_ledgers_it(studio: Studio, media_dir) -> None:
    asset = ready_asset(studio)
    with tenant_session(studio.member_ctx) as session:
        for at in ("1", "2", "3"):
            add_asset_comment(
                session=session, asset_id=asset.id, author_id=None, body=f"At {at}", timecode=at
            )
    drain_media_queue()  # other tests' jobs run now, not among this one's
    with tenant_session(studio.member_ctx) as session:
        export = comment_export(session=session, asset_id=asset.id)
        queue_report(session=session, export=export)
        queue_report(session=session, export=export)  # one waiting job per version
    drain_media_queue()
    path = report_path(export)
    assert [len(p.images) for p in PdfReader(path).pages] == [0, 1, 1, 1]
    with tenant_session(None) as session:
        runs = session.exec(select(JobRun).where(JobRun.job_name == REPORT_TASK)).scalars().all()
    mine = [r for r in runs if r.result == "succeeded" and (r.meta or {}).get("threads") == 3]
    assert len(mine) == 1 and mine[0].meta["bytes"] == path.stat().st_size
