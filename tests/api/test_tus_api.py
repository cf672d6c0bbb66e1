"""/api/tus/ over HTTP: the tus 1.0 protocol (creation, offsets, checksums, termination,
expiry), the same permission and content checks as one-request uploads, and tenant isolation."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.jobs import periodic
from portal.models import Asset, TusUpload
from portal.services.media.storage import source_path
from tests.factories import Studio, make_studio
from tests.media_support import files_under

pytestmark = pytest.mark.usefixtures("database")

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(
    client: TestClient, studio: Studio, length: int, *, filename: str = "cut.mp4", **headers: str
):
    meta = metadata(project_id=str(studio.project.id), title="Hero", filename=filename)
    return client.post(
        "/api/tus/",
        headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": meta, **headers},
    )


def patch(client: TestClient, url: str, offset: int, data: bytes, **headers: str):
    return client.patch(
        url, content=data, headers={**TUS, **OCTETS, "Upload-Offset": str(offset), **headers}
    )


def sha1(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data).digest()).decode()


def test_options_advertise_the_extensions(client: TestClient) -> None:
    response = client.options("/api/tus/")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    extensions = set(response.headers["tus-extension"].split(","))
    assert extensions == {
        "creation",
        "creation-with-upload",
        "termination",
        "expiration",
        "checksum",
    }
    assert int(response.headers["tus-max-size"]) > 0
    assert "sha1" in response.headers["tus-checksum-algorithm"].split(",")


def test_chunked_upload_becomes_a_version(studio: Studio, clips, media_dir, client_for) -> None:
    admin = client_for(studio.admin.email)
    video = clips["with_audio.mp4"].read_bytes()
    created = create(admin, studio, len(video))
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    assert url.startswith("/api/tus/") and "upload-expires" in created.headers
    head = admin.head(url, headers=TUS)
    assert head.status_code == 200 and head.headers["upload-offset"] == "0"
    assert head.headers["upload-length"] == str(len(video))
    assert head.headers["cache-control"] == "no-store"

    half = len(video) // 2
    first = patch(admin, url, 0, video[:half], **{"Upload-Checksum": sha1(video[:half])})
    assert first.status_code == 204 and first.headers["upload-offset"] == str(half)
    # A wrong offset: 409, nothing stored.
    stale = patch(admin, url, 0, video[:half])
    assert stale.status_code == 409
    # A checksum that does not match: 460, and the offset stays.
    bad = patch(admin, url, half, video[half:], **{"Upload-Checksum": sha1(b"other")})
    assert bad.status_code == 460
    assert admin.head(url, headers=TUS).headers["upload-offset"] == str(half)
    last = patch(admin, url, half, video[half:], **{"Upload-Checksum": sha1(video[half:])})
    assert last.status_code == 204, last.text
    assert last.headers["upload-offset"] == str(len(video))
    asset_id = UUID(last.headers["portal-asset-id"])
    assert last.headers["portal-version"] == "1"
    with tenant_session(studio.admin_ctx) as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None and asset.status == "processing"
        assert asset.storage_checksum == hashlib.sha256(video).hexdigest()
        assert asset.original_filename == "cut.mp4" and asset.size_bytes == len(video)
    placed = source_path(studio.agency.id, asset_id)
    assert placed is not None and placed.read_bytes() == video
    # The finished upload still answers (a client that lost the last answer can ask).
    again = admin.head(url, headers=TUS)
    assert again.headers["upload-offset"] == str(len(video))
    # The same bytes again: refused as a duplicate, and nothing partial is kept.
    dup = create(admin, studio, len(video), **OCTETS)
    dup_url = dup.headers["location"]
    refused = patch(admin, dup_url, 0, video)
    assert refused.status_code == 400 and "already uploaded" in refused.text
    assert admin.head(dup_url, headers=TUS).status_code == 404
    assert [p.name for p in files_under(media_dir / "incoming")] == []


def test_creation_with_upload(studio: Studio, clips, media_dir, client_for) -> None:
    admin = client_for(studio.admin.email)
    video = clips["rotated_phone.mp4"].read_bytes()
    meta = metadata(project_id=str(studio.project.id), title="Teaser", filename="t.mp4")
    head = {**TUS, **OCTETS, "Upload-Length": str(len(video)), "Upload-Metadata": meta}
    response = admin.post("/api/tus/", content=video[:1000], headers=head)
    assert response.status_code == 201, response.text
    assert response.headers["upload-offset"] == "1000"
    done = patch(admin, response.headers["location"], 1000, video[1000:])
    assert done.status_code == 204 and "portal-asset-id" in done.headers


def test_refusals_are_clear_and_leave_nothing(studio: Studio, clips, media_dir, client_for) -> None:
    admin = client_for(studio.admin.email)
    video = clips["prores.mov"].read_bytes()
    assert create(client_for(None), studio, 10).status_code == 401
    assert create(client_for(studio.member.email), studio, 10).status_code == 403
    assert create(admin, studio, 10, filename="../x.mp4").status_code == 400
    assert "not a video type" in create(admin, studio, 10, filename="x.exe").text
    assert "empty" in create(admin, studio, 0).text
    assert create(admin, studio, 10**15).status_code == 413
    no_version = admin.post("/api/tus/", headers={"Upload-Length": "10"})
    assert no_version.status_code == 412 and no_version.headers["tus-version"] == "1.0.0"
    cross = create(admin, studio, 10, Origin="https://evil.example")
    assert cross.status_code == 403
    stranger = client_for(make_studio().admin.email)
    assert "project" in create(stranger, studio, 10).text

    # Content that is not a video is refused as soon as its first bytes arrive.
    url = create(admin, studio, 4096).headers["location"]
    refused = patch(admin, url, 0, b"MZ\x90\x00" + b"\x00" * 4092)
    assert refused.status_code == 400 and "not a video" in refused.text
    assert admin.head(url, headers=TUS).status_code == 404
    # More bytes than declared: 413, the offset stays.
    url = create(admin, studio, 100, filename="a.mov").headers["location"]
    assert patch(admin, url, 0, video[:200]).status_code == 413
    assert admin.head(url, headers=TUS).headers["upload-offset"] == "0"
    assert patch(admin, url, 0, b"x", **{"Content-Type": "text/plain"}).status_code == 415
    assert patch(admin, url, 0, b"x", **{"Upload-Checksum": "crc99 AAAA"}).status_code == 400
    assert admin.delete(url, headers=TUS).status_code == 204
    with tenant_session(studio.admin_ctx) as session:
        assert session.query(Asset).filter(Asset.project_id == studio.project.id).count() == 0
    assert files_under(media_dir) == []


def test_other_tenants_and_members_never_see_an_upload(studio: Studio, media_dir, client_for):
    admin = client_for(studio.admin.email)
    url = create(admin, studio, 1000).headers["location"]
    stranger = client_for(make_studio().admin.email)
    assert stranger.head(url, headers=TUS).status_code == 404
    assert patch(stranger, url, 0, b"\x00" * 10).status_code == 404
    assert stranger.delete(url, headers=TUS).status_code == 404
    assert client_for(None).head(url, headers=TUS).status_code == 401
    assert admin.head("/api/tus/not-an-id", headers=TUS).status_code == 404
    assert admin.head(url, headers=TUS).headers["upload-offset"] == "0"


def test_termination_removes_the_bytes(studio: Studio, clips, media_dir, client_for) -> None:
    admin = client_for(studio.admin.email)
    video = clips["with_audio.mp4"].read_bytes()
    url = create(admin, studio, len(video)).headers["location"]
    assert patch(admin, url, 0, video[:5000]).status_code == 204
    assert len(files_under(media_dir)) == 1
    assert admin.delete(url, headers=TUS).status_code == 204
    assert admin.head(url, headers=TUS).status_code == 404
    assert patch(admin, url, 5000, video[5000:]).status_code == 404
    assert files_under(media_dir) == []


def test_expired_uploads_are_gone_and_swept(studio: Studio, clips, media_dir, client_for):
    admin = client_for(studio.admin.email)
    video = clips["with_audio.mp4"].read_bytes()
    url = create(admin, studio, len(video)).headers["location"]
    assert patch(admin, url, 0, video[:3000]).status_code == 204
    fresh = create(admin, studio, len(video)).headers["location"]
    upload_id = UUID(url.rsplit("/", 1)[1])
    with tenant_session(studio.admin_ctx) as session:
        row = session.get(TusUpload, upload_id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)
    assert admin.head(url, headers=TUS).status_code == 410
    assert patch(admin, url, 3000, video[3000:]).status_code == 410
    periodic.tus_uploads_sweep(timestamp=int(time.time()))
    assert admin.head(url, headers=TUS).status_code == 404
    assert admin.head(fresh, headers=TUS).status_code == 200  # not expired: kept
    assert [p.stem for p in files_under(media_dir)] == [fresh.rsplit("/", 1)[1]]


def test_a_server_that_cannot_store_answers_503(studio: Studio, media_dir, client_for) -> None:
    media_dir.parent.mkdir(parents=True, exist_ok=True)
    media_dir.write_text("")  # MEDIA_DIR is a file: the tus folder cannot be made
    admin = client_for(studio.admin.email)
    refused = create(admin, studio, 1000)
    assert refused.status_code == 503 and "could not store" in refused.text
    with tenant_session(studio.admin_ctx) as session:
        assert session.query(TusUpload).count() == 0
