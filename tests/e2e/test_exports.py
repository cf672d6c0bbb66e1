"""The asset page's downloads in a real browser, at desktop and phone sizes: Export → the
comments as CSV, the PDF review report and the edit-suite markers, and "Download original" →
the uploaded file, each a real download event whose file is read back."""

from __future__ import annotations

import csv
import io

import opentimelineio as otio
import pytest
from pypdf import PdfReader

from portal import routes
from portal.db import tenant_session
from portal.services.media.assets import accept_upload
from portal.services.media.comments import add_asset_comment
from portal.services.media.processing import process_asset
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.media_support import store

DRAWING = {"v": 1, "shapes": [{"type": "rect", "color": "red", "points": [[0.1, 0.1], [0.5, 0.5]]}]}


@pytest.fixture(scope="module")
def reviewed(database, clips):
    """A processed version with two comments (one with a drawing) by the agency member."""
    s = make_studio()
    asset = accept_upload(
        ctx=s.admin_ctx,
        project_id=s.project.id,
        title="Export spot",
        stored=store(clips["with_audio.mp4"]),
    )
    assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "ready"
    with tenant_session(s.member_ctx) as session:
        for body, at, drawing in (
            ("Logo too small", "0.4", DRAWING),
            ("=1+1 sting late", "0.8", None),
        ):
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=s.member.id,
                body=body,
                timecode=at,
                annotation=drawing,
            )
    return s, asset


def download(page, click) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        click()
    return info.value.path().read_bytes()


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_export_menu_and_original_download(browser, app_url: str, reviewed, clips, size) -> None:
    s, asset = reviewed
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_login(page, app_url)
        sign_in(page, s.member.email, PASSWORD)
        page.wait_for_url(f"{app_url}/")
        page.goto(app_url + routes.asset_url(str(asset.id)))
        page.wait_for_selector("#export-bar")
        # The buttons wrap on a phone: nothing sticks out sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

        def pick(item: str):  # type: ignore[no-untyped-def]
            def click() -> None:
                # The menu closes after each pick (with an animation): open it afresh.
                page.wait_for_selector("[role=menu]", state="detached")
                page.click("#export-menu")
                page.wait_for_selector(item, state="visible")
                page.click(item)

            return click

        raw = download(page, pick("#export-comments-csv"))
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert [r[2] for r in rows[1:]] == ["00:00:00:10", "00:00:00:20"]
        assert rows[2][5] == "'=1+1 sting late"

        report = PdfReader(io.BytesIO(download(page, pick("#export-comments-pdf"))))
        assert [len(p.images) for p in report.pages] == [0, 1, 1]  # cover, a grab per comment
        assert "Export spot v1" in report.pages[0].extract_text()

        edl = download(page, pick("#export-comments-edl")).decode()
        markers = otio.adapters.read_from_string(edl, "cmx_3600", rate=25).tracks[0][0].markers
        assert [m.marked_range.start_time.to_frames() for m in markers] == [10, 20]

        original = download(page, lambda: page.click("#download-original"))
        assert original == clips["with_audio.mp4"].read_bytes()
    finally:
        context.close()


def test_long_report_shows_preparing_then_downloads(browser, app_url: str, reviewed) -> None:
    """Over INLINE_THREADS threads the report is a job: the link opens "Preparing…", the job
    runs (here: a worker driven by the test, as the served app runs none), and the page's own
    reload then downloads the PDF."""
    from portal.services.media.exports_report import INLINE_THREADS
    from tests.jobs.test_share_rendition import drain_media_queue

    s, asset = reviewed
    with tenant_session(s.member_ctx) as session:
        for n in range(INLINE_THREADS):
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=s.member.id,
                body=f"Note {n}",
                timecode=f"0.{n + 1}",
            )
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_login(page, app_url)
        sign_in(page, s.member.email, PASSWORD)
        page.wait_for_url(f"{app_url}/")
        page.goto(app_url + routes.asset_url(str(asset.id)))
        page.click("#export-menu")
        page.click("#export-comments-pdf")
        page.wait_for_selector("#report-preparing")
        assert f"{INLINE_THREADS + 2} comment threads" in page.inner_text("#report-preparing")
        with page.expect_download(timeout=120_000) as info:
            drain_media_queue()
        report = PdfReader(info.value.path())
        assert [len(p.images) for p in report.pages] == [0] + [1] * (INLINE_THREADS + 2)
    finally:
        context.close()
