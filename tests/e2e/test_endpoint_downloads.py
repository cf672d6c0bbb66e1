"""Clicking a link to a server endpoint downloads the file (issue 20.1): the client's Download
on a share page that allows it, and the admin's Export CSV on /audit. Before the fix the
single-page router took both clicks and showed "404: Page not found"."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from portal import routes
from portal.services.compliance.audit_log import CSV_HEADER
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.share_support import make_link, ready_asset, token_of, write_media


def test_client_downloads_the_file_from_a_share_link(page, app_url: str) -> None:
    s = make_studio()
    asset = ready_asset(s)
    source = write_media(asset) / "source.mp4"
    link = make_link(s, asset, name="Client cut", allow_download=True)

    page.goto(f"{app_url}{routes.share_url(token_of(link))}")
    button = page.get_by_role("link", name="Download")
    button.wait_for()
    page.wait_for_load_state("networkidle")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "hero.mp4"
    assert Path(download.path()).read_bytes() == source.read_bytes() == b"source-bytes"
    # The page stays where it was: no client-side route to a page that does not exist.
    assert page.url.startswith(f"{app_url}/s/")
    assert page.get_by_text("404").count() == 0
    assert "Hero film" in page.inner_text("#share-title")


def test_admin_exports_the_audit_log_as_csv(page, app_url: str) -> None:
    s = make_studio()
    open_login(page, app_url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.click(f"a[href='{routes.AUDIT}']")
    page.wait_for_selector("#audit-log")
    page.wait_for_load_state("networkidle")

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("audit-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0] == list(CSV_HEADER)
    # make_studio created the agency's project: its insert is in the studio admin's log.
    assert any(str(s.project.id) in row for row in rows[1:])
    assert page.url == f"{app_url}{routes.AUDIT}"
    assert page.get_by_text("404").count() == 0
