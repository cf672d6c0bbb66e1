"""/api/media over HTTP: streamed uploads and media served with ranges after an access check;
Mux-hosted versions answer with a redirect signed for the request."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import jwt
import pytest
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.models import Asset
from portal.services.media.processing import process_asset
from tests.factories import Studio, make_studio
from tests.fake_mux import FakeMux
from tests.media_support import files_under
from tests.share_support import move_to_mux, ready_asset

pytestmark = pytest.mark.usefixtures("database")


def put(client: TestClient, studio: Studio, data: bytes, filename: str = "cut.mp4", **extra):
    params = {"project_id": str(studio.project.id), "title": "Hero", "filename": filename}
    return client.put("/api/media/uploads", params=params, content=data, **extra)


def test_upload_process_and_serve_with_ranges(studio: Studio, clips, media_dir, client_for) -> None:
    admin = client_for(studio.admin.email)
    response = put(admin, studio, clips["with_audio.mp4"].read_bytes())
    assert response.status_code == 201, response.text
    asset_id = response.json()["asset_id"]
    base = f"/api/media/{asset_id}"
    # Not ready yet: nothing is served.
    assert admin.get(f"{base}/hls/master.m3u8").status_code == 404
    process_asset(asset_id=UUID(asset_id), tenant_id=studio.agency.id)

    member = client_for(studio.member.email)
    master = member.get(f"{base}/hls/master.m3u8")
    assert master.status_code == 200 and "720p/index.m3u8" in master.text
    assert master.headers["cache-control"].startswith("private")
    segment = member.get(f"{base}/hls/720p/seg_00000.ts", headers={"Range": "bytes=0-187"})
    assert segment.status_code == 206 and len(segment.content) == 188
    assert segment.content[0] == 0x47 and segment.headers["content-range"].startswith(
        "bytes 0-187/"
    )
    assert member.get(f"{base}/poster.jpg").headers["content-type"] == "image/jpeg"

    outsider = client_for(make_studio().member.email)
    assert outsider.get(f"{base}/hls/master.m3u8").status_code == 404
    assert client_for(None).get(f"{base}/hls/master.m3u8").status_code == 401
    for name in ["source.mp4", "hls/../source.mp4", "hls/720p/../../source.mp4", "..%2Fsource.mp4"]:
        assert admin.get(f"{base}/{name}").status_code == 404


def test_upload_refusals_leave_no_file_or_row(studio: Studio, clips, media_dir, client_for) -> None:
    admin = client_for(studio.admin.email)
    member = client_for(studio.member.email)
    video = clips["prores.mov"].read_bytes()
    assert put(member, studio, video, "a.mov").status_code == 403
    assert put(client_for(None), studio, video, "a.mov").status_code == 401
    bad = put(admin, studio, b"not a video at all" * 100, "a.mp4")
    assert bad.status_code == 400 and "not a video" in bad.json()["error"]
    assert put(admin, studio, b"", "a.mp4").json()["error"] == "The file is empty (0 bytes)."
    assert "folders" in put(admin, studio, video, "../../x.mov").json()["error"]
    cross = put(admin, studio, video, "a.mov", headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    other = make_studio()
    stranger = client_for(other.admin.email)
    assert put(stranger, studio, video, "a.mov").status_code == 400  # project not in scope
    assert files_under(media_dir) == []


def test_declared_oversize_is_refused_before_reading(
    studio: Studio, media_dir, monkeypatch, client_for
) -> None:
    from portal.settings import get_settings

    monkeypatch.setenv("UPLOAD_MAX_BYTES", "2048")
    get_settings.cache_clear()
    try:
        admin = client_for(studio.admin.email)
        response = put(admin, studio, b"\x00" * 4096, "a.mp4")
        assert response.status_code in (400, 413) and "limit" in response.json()["error"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert files_under(media_dir) == []


def test_upload_answer_gives_the_deliverable_version(
    studio: Studio, clips, media_dir, client_for
) -> None:
    admin = client_for(studio.admin.email)
    params = {"project_id": str(studio.project.id), "filename": "cut.mp4"}
    first = admin.put(
        "/api/media/uploads",
        params={**params, "title": "Teaser"},
        content=clips["with_audio.mp4"].read_bytes(),
    )
    hero = admin.put(
        "/api/media/uploads",
        params={**params, "title": "Hero film"},
        content=clips["rotated_phone.mp4"].read_bytes(),
    )
    assert (first.json()["version"], hero.json()["version"]) == (1, 1)  # hero: upload 2, its v1


def test_mux_hosted_media_redirects_with_a_token_minted_per_request(
    studio: Studio, fake_mux: FakeMux, client_for
) -> None:
    # A version as the Mux webhooks leave it (tests/services/media/test_mux_backend.py).
    asset = move_to_mux(studio, ready_asset(studio), "signedPlayback123")
    client = client_for(studio.member.email)
    tokens = []
    for name, audience in (("hls/master.m3u8", "v"), ("poster.jpg", "t")):
        response = client.get(f"/api/media/{asset.id}/{name}")
        assert response.status_code == 302 and response.headers["cache-control"] == "no-store"
        target = urlsplit(response.headers["location"])
        assert "signedPlayback123" in target.path
        token = parse_qs(target.query)["token"][0]
        claims = jwt.decode(token, fake_mux.public_key_pem, algorithms=["RS256"], audience=audience)
        assert claims["sub"] == "signedPlayback123" and claims["kid"] == "signing-key-1"
        assert 0 < claims["exp"] - time.time() <= 600
        tokens.append(token)
    # Nothing about the token is kept: the asset row holds only the playback id.
    with tenant_session(studio.admin_ctx) as session:
        assert tokens[0] not in str(session.get(Asset, asset.id).model_dump())
