"""Share links over HTTP: the page's real status, the open endpoint, media behind grants."""

from __future__ import annotations

import time
import uuid

import pytest
from starlette.testclient import TestClient

from portal.api import build_api
from portal.db import tenant_session
from portal.models import ShareLink
from portal.services.sharing import access
from portal.services.sharing.grants import RENEWAL_COOKIE, make_grant
from portal.services.sharing.links import revoke_share_link
from portal.services.sharing.watermark import burn_text, rendition_path
from portal.settings import get_settings
from tests.concurrency_support import VerifierGate
from tests.factories import Studio
from tests.share_support import shared, write_media

pytestmark = pytest.mark.usefixtures("database")
NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def private_headers(response) -> bool:
    return all(response.headers.get(k) == v for k, v in NO_STORE.items())


def test_page_status_is_200_for_a_live_link_and_404_for_any_other(
    studio: Studio, client: TestClient
) -> None:
    live, revoked, exhausted = (shared(studio), shared(studio), shared(studio, view_limit=1))
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=revoked.link.id)
    assert client.post(f"/api/share/{exhausted.token}/open").status_code == 200
    ok = client.get(f"/s/{live.token}")
    assert ok.status_code == 200 and private_headers(ok)
    pages = set()
    for path in [
        f"/s/{revoked.token}",
        f"/s/{exhausted.token}",
        "/s/" + "A" * 43,
        "/s/short",
        "/s/" + "x" * 5000,
        "/s/%3Cscript%3E",
        "/s/..%2F..%2Fetc",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        if response.headers.get("content-type", "").startswith("text/html"):
            assert private_headers(response)
            pages.add(response.text)
    assert len(pages) == 1  # the same page whatever the reason: nothing of the path reflected


def test_status_endpoint(studio: Studio, client: TestClient) -> None:
    s = shared(studio, passcode="tangerine")
    response = client.get(f"/api/share/{s.token}")
    assert response.status_code == 200 and response.json() == {"available": True, "passcode": True}
    assert private_headers(response)
    gone = client.get("/api/share/" + "B" * 43)
    assert gone.status_code == 404 and gone.json() == {"error": "This link is not available."}


def test_open_with_passcode_then_media_then_revoke(
    studio: Studio, media_dir, client: TestClient
) -> None:
    s = shared(studio, passcode="tangerine", allow_download=True)
    write_media(s.asset)
    assert (
        client.post(f"/api/share/{s.token}/open").json()["error"] == "Enter the passcode to watch."
    )
    wrong = client.post(f"/api/share/{s.token}/open", data={"passcode": "lemon"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "That passcode is not right."
    bad_json = client.post(
        f"/api/share/{s.token}/open",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert bad_json.status_code == 401
    opened = client.post(f"/api/share/{s.token}/open", json={"passcode": "tangerine"})
    assert opened.status_code == 200 and private_headers(opened)
    urls = opened.json()
    assert urls["views"] == 1 and s.token not in str(urls)
    master = client.get(urls["playback_url"])
    assert master.status_code == 200 and "720p/index.m3u8" in master.text
    assert private_headers(master)
    base = urls["playback_url"].rsplit("/hls/", 1)[0]
    assert client.get(f"{base}/hls/720p/seg_00000.ts").content[:1] == b"\x47"
    assert client.get(urls["poster_url"]).headers["content-type"] == "image/jpeg"
    download = client.get(urls["download_url"])
    assert (
        download.content == b"source-bytes"
        and "attachment" in download.headers["content-disposition"]
    )
    for name in ["source.mp4", "hls/../source.mp4", "..%2Fsource.mp4", "hls/master.m3u8/.."]:
        assert client.get(f"{base}/{name}").status_code == 404, name
    tampered = base.replace("/api/share-media/", "/api/share-media/x")
    assert client.get(f"{tampered}/hls/master.m3u8").status_code == 404
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    assert client.get(f"{base}/hls/720p/seg_00000.ts").status_code == 404
    assert (
        client.post(f"/api/share/{s.token}/open", data={"passcode": "tangerine"}).status_code == 404
    )


def test_download_only_when_allowed(studio: Studio, media_dir, client: TestClient) -> None:
    s = shared(studio)
    write_media(s.asset)
    urls = client.post(f"/api/share/{s.token}/open").json()
    assert urls["download_url"] is None
    base = urls["playback_url"].rsplit("/hls/", 1)[0]
    assert client.get(f"{base}/download").status_code == 404


def test_throttled_passcode_is_429(studio: Studio, client: TestClient) -> None:
    s = shared(studio, passcode="tangerine")
    for _ in range(5):
        assert (
            client.post(f"/api/share/{s.token}/open", data={"passcode": "x1x1"}).status_code == 401
        )
    throttled = client.post(f"/api/share/{s.token}/open", data={"passcode": "tangerine"})
    assert throttled.status_code == 429 and "15 minutes" in throttled.json()["error"]


def test_60_concurrent_wrong_passcodes_reach_argon2_at_most_5_times(
    studio: Studio, monkeypatch, client_for
) -> None:
    s = shared(studio, passcode="tangerine")
    gate = VerifierGate(access.verify_password, total=60)
    monkeypatch.setattr(access, "verify_password", gate)
    app, address = build_api(), "10.251.7.1"

    def attempt(n: int) -> int:
        post = client_for(app=app, address=address).post
        return post(f"/api/share/{s.token}/open", data={"passcode": f"guess-{n}"}).status_code

    statuses = gate.run(attempt)
    assert gate.entered == 5
    assert statuses.count(401) == 5 and statuses.count(429) == 55
    late = client_for(app=app, address=address).post(
        f"/api/share/{s.token}/open", data={"passcode": "tangerine"}
    )
    assert late.status_code == 429 and gate.entered == 5


def test_concurrent_wrong_passcodes_from_many_addresses_stop_at_the_link_limit(
    studio: Studio, monkeypatch, client_for
) -> None:
    monkeypatch.setenv("SHARE_PASSCODE_MAX_PER_LINK", "8")
    get_settings.cache_clear()
    s = shared(studio, passcode="tangerine")
    gate = VerifierGate(access.verify_password, total=30)
    monkeypatch.setattr(access, "verify_password", gate)
    app = build_api()

    def attempt(n: int) -> int:
        post = client_for(app=app, address=f"10.252.0.{n + 1}").post
        return post(f"/api/share/{s.token}/open", data={"passcode": f"guess-{n}"}).status_code

    try:
        statuses = gate.run(attempt)
    finally:
        get_settings.cache_clear()
    assert gate.entered == 8 and statuses.count(401) == 8 and statuses.count(429) == 22


def test_five_wrong_passcodes_from_one_address_do_not_lock_out_the_client(
    studio: Studio, client_for
) -> None:
    s = shared(studio, passcode="tangerine")
    app = build_api()
    stranger, client = (
        client_for(app=app, address="10.253.0.1"),
        client_for(app=app, address="10.253.0.2"),
    )
    for n in range(5):
        wrong = stranger.post(f"/api/share/{s.token}/open", data={"passcode": f"guess-{n}"})
        assert wrong.status_code == 401
    assert (
        client.post(f"/api/share/{s.token}/open", data={"passcode": "tangerine"}).status_code == 200
    )
    refused = stranger.post(f"/api/share/{s.token}/open", data={"passcode": "tangerine"})
    assert refused.status_code == 429 and "15 minutes" in refused.json()["error"]


def test_watermarked_download_is_never_the_master(
    studio: Studio, media_dir, client: TestClient
) -> None:
    s = shared(studio, allow_download=True, watermark=True)
    write_media(s.asset)
    url = client.post(f"/api/share/{s.token}/open").json()["download_url"]
    waiting = client.get(url)
    assert waiting.status_code == 409 and "being prepared" in waiting.json()["error"]
    assert b"source-bytes" not in waiting.content
    with tenant_session(studio.member_ctx) as session:
        link = session.get(ShareLink, uuid.UUID(s.link.id))
        target = rendition_path(link, burn_text(link, studio.agency.name))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"burned-in copy")
    ready = client.get(url)
    assert ready.status_code == 200 and ready.content == b"burned-in copy"
    assert "watermarked" in ready.headers["content-disposition"]


def test_renewal_cookie_serves_media_after_first_grant_expiry(
    studio: Studio, media_dir, client: TestClient
) -> None:
    s = shared(studio)
    write_media(s.asset)
    opened = access.open_link(token=s.token)
    ids = {"link_id": opened.link_id, "tenant_id": opened.tenant_id, "asset_id": opened.asset_id}
    old = make_grant(**ids, now=time.time() - 7200)
    path = f"/api/share-media/{old}/poster.jpg"
    assert client.get(path).status_code == 404
    client.cookies.set(RENEWAL_COOKIE, make_grant(**ids))
    assert client.get(path).status_code == 200


def test_client_page_has_a_content_security_policy(studio: Studio, client: TestClient) -> None:
    response = client.get(f"/s/{shared(studio).token}")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
