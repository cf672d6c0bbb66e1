"""A share link's download when Mux hosts the version: a redirect to the MP4 static rendition
with a token minted for the request, after the same grant and link checks as local media."""

from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.models import ShareLink
from portal.services.sharing.links import NewShareLink, revoke_share_link
from portal.settings import get_settings
from tests.factories import Studio
from tests.fake_mux import FakeMux
from tests.share_support import make_link, move_to_mux, ready_asset, token_of

pytestmark = pytest.mark.usefixtures("database")
NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def mux_link(studio: Studio, **options) -> tuple[NewShareLink, str]:
    """A link to a Mux-hosted version, and the version's playback id."""
    playback_id = f"signed{uuid.uuid4().hex[:12]}"
    asset = move_to_mux(
        studio, ready_asset(studio), playback_id, original_filename="Café Final <v2>.mov"
    )
    return make_link(studio, asset, **options), playback_id


def download_url(client: TestClient, link: NewShareLink) -> str:
    """The link's download URL (built from its playback URL when the link hides it)."""
    opened = client.post(f"/api/share/{token_of(link)}/open").json()
    return opened["download_url"] or opened["playback_url"].replace("hls/master.m3u8", "download")


def test_download_redirects_to_a_signed_short_lived_mp4(
    studio: Studio, fake_mux: FakeMux, client: TestClient
) -> None:
    link, playback_id = mux_link(studio, allow_download=True)
    url = download_url(client, link)
    response = client.get(url)
    assert response.status_code == 302
    assert all(response.headers.get(k) == v for k, v in NO_STORE.items())
    target = urlsplit(response.headers["location"])
    assert (target.scheme, target.netloc) == ("https", "stream.mux.com")
    assert target.path == f"/{playback_id}/highest.mp4"
    query = parse_qs(target.query)
    assert list(query) == ["token"]  # a signed URL carries its modifiers in the token
    claims = jwt.decode(
        query["token"][0], fake_mux.public_key_pem, algorithms=["RS256"], audience="v"
    )
    assert claims["sub"] == playback_id and claims["kid"] == "signing-key-1"
    assert 0 < claims["exp"] - time.time() <= 120
    # The attachment is named for the original file, as an MP4, in plain characters.
    assert claims["download"] == "Cafe Final -v2.mp4"
    # Every request mints its own token.
    again = parse_qs(urlsplit(client.get(url).headers["location"]).query)["token"][0]
    assert jwt.decode(again, fake_mux.public_key_pem, algorithms=["RS256"], audience="v")

    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=link.id)
    revoked = client.get(url)
    assert revoked.status_code == 404 and "location" not in revoked.headers


def test_no_download_unless_the_link_allows_it(
    studio: Studio, fake_mux: FakeMux, client: TestClient
) -> None:
    link, _ = mux_link(studio)
    response = client.get(download_url(client, link))
    assert response.status_code == 404 and "location" not in response.headers


def test_watermarked_link_refuses_rather_than_serve_a_clean_file(
    studio: Studio, fake_mux: FakeMux, client: TestClient
) -> None:
    link, _ = mux_link(studio, allow_download=True)
    # A link made before the service refused that pair up front.
    with tenant_session(studio.member_ctx) as session:
        session.get(ShareLink, uuid.UUID(link.id)).watermark = True
    response = client.get(download_url(client, link))
    assert response.status_code == 409 and "location" not in response.headers
    assert "cannot be downloaded here" in response.json()["error"]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("key", ["", "bm90IGEga2V5"])
def test_signing_missing_or_unreadable_is_503_with_a_message(
    studio: Studio, fake_mux: FakeMux, monkeypatch: pytest.MonkeyPatch, key: str, client: TestClient
) -> None:
    monkeypatch.setenv("MUX_SIGNING_KEY", key)
    get_settings.cache_clear()
    link, _ = mux_link(studio, allow_download=True)
    response = client.get(download_url(client, link))
    assert response.status_code == 503 and "location" not in response.headers
    assert response.json() == {
        "error": "Downloads are not available right now. Please try again later."
    }
