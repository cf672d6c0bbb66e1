"""Uploads and the local processing pipeline on tiny generated clips (real ffmpeg, real DB)."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest

from portal.db import tenant_session
from portal.models import Asset
from portal.services.core.errors import Conflict, InvalidInput, NotFound
from portal.services.media.assets import accept_upload, create_asset_version, get_asset
from portal.services.media.processing import process_asset
from portal.services.media.storage import asset_dir
from tests.factories import Studio, make_studio, unique
from tests.media_support import files_under, store

pytestmark = pytest.mark.usefixtures("database")


def upload(studio: Studio, path: Path, title: str = "Hero film", **kwargs) -> Asset:
    return accept_upload(
        ctx=studio.admin_ctx,
        project_id=studio.project.id,
        title=title,
        stored=store(path, **kwargs),
    )


def queued_jobs(owner_conn, asset: Asset) -> int:
    row = owner_conn.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'process_asset'"
        " AND args->>'asset_id' = %s",
        (str(asset.id),),
    ).fetchone()
    return row[0]


@pytest.mark.parametrize(
    ("name", "size", "rotation", "audio"),
    [
        ("with_audio.mp4", (320, 180), 0, True),
        ("no_audio_odd.mov", (161, 91), 0, False),
        ("rotated_phone.mp4", (180, 320), 90, True),
        ("prores.mov", (128, 72), 0, False),
    ],
)
def test_clip_goes_from_upload_to_ready_with_hls_and_poster(
    studio: Studio,
    clips,
    media_dir,
    owner_conn,
    name,
    size,
    rotation,
    audio,
) -> None:
    asset = upload(studio, clips[name])
    assert asset.status == "processing" and len(asset.storage_checksum) == 64
    assert queued_jobs(owner_conn, asset) == 1
    assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "ready"
    with tenant_session(studio.admin_ctx) as session:
        row = get_asset(session=session, asset_id=asset.id)
        assert row.status == "ready" and row.duration == Decimal("1.000")
        assert (row.width, row.height) == size and row.media_info["rotation"] == rotation
        assert row.media_info["has_audio"] is audio and "720p" in row.media_info["renditions"]
    folder = asset_dir(asset.tenant_id, asset.id)
    master = (folder / "hls" / "master.m3u8").read_text()
    assert "720p/index.m3u8" in master and (folder / "poster.jpg").stat().st_size > 0
    # A portrait phone video stays portrait; every size is even.
    for line in master.splitlines():
        if "RESOLUTION=" in line:
            w, h = map(int, line.split("RESOLUTION=")[1].split(",")[0].split("x"))
            assert w % 2 == h % 2 == 0 and (w < h) == (size[0] < size[1])
    assert not (media_dir / "incoming").exists() or not any((media_dir / "incoming").iterdir())


def test_truncated_file_errors_with_a_readable_reason(studio: Studio, clips, media_dir) -> None:
    asset = upload(studio, clips["truncated.mp4"])
    assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "errored"
    with tenant_session(studio.admin_ctx) as session:
        row = get_asset(session=session, asset_id=asset.id)
    assert row.status == "errored" and "incomplete" in row.error_reason
    assert not (asset_dir(asset.tenant_id, asset.id) / "hls.tmp").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd.mp4", "folders"),
        ("a/b.mp4", "folders"),
        (".hidden.mp4", "folders"),
        ("x" * 300 + ".mp4", "at most 255"),
        ("report.pdf", "not a video type"),
        ("", "no name"),
    ],
)
def test_bad_file_names_are_refused_before_anything_is_written(
    clips,
    media_dir,
    name: str,
    message: str,
) -> None:
    with pytest.raises(InvalidInput, match=message):
        store(clips["with_audio.mp4"], name=name)
    assert files_under(media_dir) == []


def test_empty_fake_and_oversize_files_leave_nothing(clips, media_dir, tmp_path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match="empty"):
        store(empty)
    with pytest.raises(InvalidInput, match="not a video"):
        store(clips["not_video.mp4"])
    with pytest.raises(InvalidInput, match="larger than the limit"):
        store(clips["with_audio.mp4"], max_bytes=10_000, chunk=4096)
    assert files_under(media_dir) == []


def test_duplicate_upload_and_refused_version_leave_no_row_or_file(
    studio: Studio,
    clips,
    media_dir,
) -> None:
    first = upload(studio, clips["with_audio.mp4"])
    with pytest.raises(Conflict, match="already uploaded"):
        upload(studio, clips["with_audio.mp4"], name="copy.mp4")
    with pytest.raises(InvalidInput, match="title"):
        upload(studio, clips["prores.mov"], title="  ")
    with tenant_session(studio.admin_ctx) as session:
        count = session.query(Asset).filter(Asset.project_id == studio.project.id).count()
    assert count == 1
    files = files_under(media_dir)
    assert [f.name for f in files] == ["source.mp4"] and str(first.id) in str(files[0])


def test_versions_of_a_deliverable_and_simultaneous_uploads(studio: Studio) -> None:
    results: list[int] = []
    barrier = threading.Barrier(4)

    def create() -> None:
        barrier.wait()
        with tenant_session(studio.admin_ctx) as session:
            asset = create_asset_version(
                session=session, project_id=studio.project.id, title="Cutdown 15s"
            )
            results.append(asset.version)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [1, 2, 3, 4]
    with tenant_session(studio.admin_ctx) as session:
        keys = {
            a.deliverable_key for a in session.query(Asset).filter_by(project_id=studio.project.id)
        }
    assert keys == {"cutdown 15s"}


def test_another_tenants_project_and_asset_are_refused(studio: Studio, clips, media_dir) -> None:
    other = make_studio()
    with pytest.raises(InvalidInput, match="not available"):
        accept_upload(
            ctx=other.member_ctx,
            project_id=studio.project.id,
            title=unique("x"),
            stored=store(clips["prores.mov"]),
        )
    asset = upload(studio, clips["prores.mov"])
    with tenant_session(other.admin_ctx) as session, pytest.raises(NotFound):
        get_asset(session=session, asset_id=asset.id)
    assert [f.name for f in files_under(media_dir)] == ["source.mov"]
