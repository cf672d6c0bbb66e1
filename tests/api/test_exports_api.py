"""/api/exports over HTTP: a version's original and its comment exports are served to signed-in
members after the same session + RLS check as /api/media; another tenant's version, a deleted or
unready one and malformed ids are 404 (never a 500), signed out is 401."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import jwt
import opentimelineio as otio
import pytest

from portal.db import tenant_session
from portal.models import Asset
from portal.services.media.comments import add_asset_comment
from tests.factories import Studio, make_studio
from tests.fake_mux import FakeMux
from tests.share_support import move_to_mux, ready_asset, write_media

pytestmark = pytest.mark.usefixtures("database")


def with_comment(studio: Studio) -> Asset:
    asset = ready_asset(studio)
    with tenant_session(studio.member_ctx) as session:
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="+1 tighten the cut",
            timecode="2.2",
        )
    return asset


def test_comment_exports_for_members_only(studio: Studio, client_for) -> None:
    asset = with_comment(studio)
    base = f"/api/exports/{asset.id}"
    member = client_for(studio.member.email)
    got = member.get(f"{base}/comments.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"] == 'attachment; filename="Hero film v1 comments.csv"'
    assert got.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[1][2] == "00:00:02:05" and rows[1][5] == "'+1 tighten the cut"

    edl = member.get(f"{base}/comments.edl")
    assert (
        edl.status_code == 200 and "Hero film v1 markers.edl" in edl.headers["content-disposition"]
    )
    timeline = otio.adapters.read_from_string(edl.text, "cmx_3600", rate=25)
    assert [m.marked_range.start_time.to_frames() for m in timeline.tracks[0][0].markers] == [55]
    xml = member.get(f"{base}/comments.xml")
    assert xml.status_code == 200 and xml.headers["content-type"].startswith("application/xml")
    assert len(otio.adapters.read_from_string(xml.text, "fcp_xml").tracks.markers) == 1
    # The studio's admin sees its agency's version too.
    assert client_for(studio.admin.email).get(f"{base}/comments.csv").status_code == 200

    outsider = client_for(make_studio().admin.email)
    for kind in ("csv", "edl", "xml"):
        assert outsider.get(f"{base}/comments.{kind}").status_code == 404
        assert client_for(None).get(f"{base}/comments.{kind}").status_code == 401
    for bad in ("not-a-uuid", str(uuid.uuid4()), "%00", "..%2F..%2Fetc"):
        assert member.get(f"/api/exports/{bad}/comments.csv").status_code == 404
    assert member.get(f"{base}/comments.exe").status_code == 404


def test_original_download_local_backend(studio: Studio, media_dir, client_for) -> None:
    asset = ready_asset(studio)
    write_media(asset)
    url = f"/api/exports/{asset.id}/original"
    member = client_for(studio.member.email)
    got = member.get(url)
    assert got.status_code == 200 and got.content == b"source-bytes"
    assert 'filename="hero.mp4"' in got.headers["content-disposition"]
    assert got.headers["content-type"] == "application/octet-stream"
    assert client_for(make_studio().member.email).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401
    assert member.get("/api/exports/nope/original").status_code == 404
    with tenant_session(studio.admin_ctx) as session:
        session.get(Asset, asset.id).status = "processing"
    assert member.get(url).status_code == 404  # only a ready version, as /api/media
    missing = ready_asset(studio, title="No file")
    assert member.get(f"/api/exports/{missing.id}/original").status_code == 404


def test_original_download_on_mux_redirects_to_the_mp4_rendition(
    studio: Studio, fake_mux: FakeMux, client_for
) -> None:
    asset = move_to_mux(studio, ready_asset(studio), "signedPlayback123")
    response = client_for(studio.member.email).get(f"/api/exports/{asset.id}/original")
    assert response.status_code == 302 and response.headers["cache-control"] == "no-store"
    target = urlsplit(response.headers["location"])
    assert target.path == "/signedPlayback123/highest.mp4"
    token = parse_qs(target.query)["token"][0]
    claims = jwt.decode(token, fake_mux.public_key_pem, algorithms=["RS256"], audience="v")
    assert claims["download"] == "hero.mp4" and claims["sub"] == "signedPlayback123"


def test_pdf_report_inline_for_short_threads_and_by_job_for_long_ones(
    studio: Studio, media_dir, client_for, superuser_conn, monkeypatch
) -> None:
    from pypdf import PdfReader

    from portal.api import exports
    from portal.services.media.exports_report import make_report_job

    asset = with_comment(studio)
    url = f"/api/exports/{asset.id}/comments.pdf"
    member = client_for(studio.member.email)
    got = member.get(url)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert "Hero%20film%20v1%20review%20report.pdf" in got.headers["content-disposition"]
    assert [len(p.images) for p in PdfReader(io.BytesIO(got.content)).pages] == [0, 1]
    assert client_for(make_studio().member.email).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401
    assert member.get("/api/exports/nope/comments.pdf").status_code == 404

    # Longer than INLINE_THREADS: queued once (202, a page that reloads), then served.
    monkeypatch.setattr(exports, "INLINE_THREADS", 1)
    with tenant_session(studio.member_ctx) as session:
        add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="Two", timecode="4"
        )
    for _ in range(2):
        waiting = member.get(url)
        assert waiting.status_code == 202 and "Preparing the review report" in waiting.text
        assert '<meta http-equiv="refresh"' in waiting.text
    queued = superuser_conn.execute(
        "SELECT args FROM procrastinate_jobs WHERE task_name = 'export_report' AND status = 'todo'"
        " AND args->>'asset_id' = %s",
        (str(asset.id),),
    ).fetchall()
    assert queued == [({"asset_id": str(asset.id), "tenant_id": str(studio.agency.id)},)]
    assert make_report_job(asset_id=asset.id, tenant_id=studio.agency.id)["threads"] == 2
    ready = member.get(url)
    assert ready.status_code == 200
    assert [len(p.images) for p in PdfReader(io.BytesIO(ready.content)).pages] == [0, 1, 1]


def report_jobs(conn, asset: Asset) -> list[str]:
    rows = conn.execute(
        "SELECT status FROM procrastinate_jobs WHERE task_name = 'export_report'"
        " AND args->>'asset_id' = %s ORDER BY id",
        (str(asset.id),),
    ).fetchall()
    return [status for (status,) in rows]


def test_a_failed_report_says_so_and_is_queued_again_once_on_retry(
    studio: Studio, media_dir, client_for, superuser_conn, monkeypatch
) -> None:
    from portal.api import exports
    from portal.services.media import exports_report
    from tests.jobs.test_share_rendition import drain_media_queue

    asset = with_comment(studio)
    with tenant_session(studio.member_ctx) as session:
        add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="Two", timecode="4"
        )
    monkeypatch.setattr(exports, "INLINE_THREADS", 1)
    url = f"/api/exports/{asset.id}/comments.pdf"
    member = client_for(studio.member.email)
    drain_media_queue()  # other tests' jobs run now, not among this one's

    original = exports_report.report_pdf

    def broken(export) -> bytes:
        raise RuntimeError("the frame grabs failed")

    monkeypatch.setattr(exports_report, "report_pdf", broken)
    assert member.get(url).status_code == 202
    drain_media_queue()  # the job fails for good (no retries)
    assert report_jobs(superuser_conn, asset) == ["failed"]
    for _ in range(3):  # the page's reloads
        page = member.get(url)
        assert page.status_code == 200 and "The report could not be made" in page.text
        assert "refresh" not in page.text and "the frame grabs failed" not in page.text
        assert f'href="{url}?retry=1">Try again' in page.text
    assert report_jobs(superuser_conn, asset) == ["failed"]  # nothing re-queued

    # Retries and reloads at once (they meet at a barrier, then race): one job.
    count = 6
    clients = [client_for(studio.member.email) for _ in range(count)]
    barrier = threading.Barrier(count)
    real = exports.request_report

    def together(**kwargs):
        barrier.wait(timeout=120)
        return real(**kwargs)

    monkeypatch.setattr(exports, "request_report", together)

    def go(pair: tuple[int, object]) -> int:
        i, client = pair
        return client.get(url + ("?retry=1" if i % 2 == 0 else "")).status_code

    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(go, enumerate(clients)))
    assert all(a in (200, 202, 303) for a in answers) and answers.count(303) == count // 2
    assert report_jobs(superuser_conn, asset) == ["failed", "todo"]
    monkeypatch.setattr(exports, "request_report", real)
    retried = member.get(url + "?retry=1")
    assert retried.status_code == 303 and retried.headers["location"] == url
    assert member.get(url).status_code == 202  # preparing: the job waits

    # A worker (alive) runs it: reloads and retries queue nothing meanwhile.
    worker = superuser_conn.execute(
        "INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id"
    ).fetchone()[0]
    superuser_conn.execute(
        "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s"
        " WHERE task_name = 'export_report' AND status = 'todo' AND args->>'asset_id' = %s",
        (worker, str(asset.id)),
    )
    barrier = threading.Barrier(count)
    monkeypatch.setattr(exports, "request_report", together)
    with ThreadPoolExecutor(count) as pool:
        answers = list(pool.map(go, enumerate(clients)))
    assert sorted(answers) == [202] * (count // 2) + [303] * (count // 2)
    assert report_jobs(superuser_conn, asset) == ["failed", "doing"]
    superuser_conn.execute(
        "DELETE FROM procrastinate_jobs WHERE task_name = 'export_report'"
        " AND args->>'asset_id' = %s",
        (str(asset.id),),
    )
    superuser_conn.execute("DELETE FROM procrastinate_workers WHERE id = %s", (worker,))

    monkeypatch.setattr(exports, "request_report", real)

    # Fixed: a retry makes it, and it is served.
    monkeypatch.setattr(exports_report, "report_pdf", original)
    assert member.get(url + "?retry=1").status_code == 303
    drain_media_queue()
    ready = member.get(url)
    assert ready.status_code == 200 and ready.headers["content-type"] == "application/pdf"
