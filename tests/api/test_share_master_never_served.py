"""Issue 16 item 6: a watermark is an overlay, so the one thing a share link must never give a
watermarked (or download-less) viewer is the original file — through any share media URL."""

from __future__ import annotations

import pytest

from portal.services.media.storage import source_path
from tests.factories import Studio
from tests.share_support import shared, write_media

pytestmark = pytest.mark.usefixtures("database")

# Every way a viewer might ask the share media route for the stored original.
ATTEMPTS = (
    "download",
    "source.mp4",
    "../source.mp4",
    "hls/../source.mp4",
    "hls/..%2Fsource.mp4",
    "%2e%2e/source.mp4",
    "hls/720p/../../source.mp4",
    "share/source.mp4",
    "./source.mp4",
    "source.MP4",
)


@pytest.mark.parametrize(
    "options",
    [
        {"watermark": True, "allow_download": False},
        {"watermark": True, "allow_download": True},
        {"watermark": False, "allow_download": False},
    ],
)
def test_share_media_urls_never_serve_the_master(
    studio: Studio, media_dir, options, client_for
) -> None:
    s = shared(studio, **options)
    client = client_for(follow_redirects=True)  # wherever a redirect leads, never the master
    write_media(s.asset)
    master = source_path(s.asset.tenant_id, s.asset.id)
    assert master is not None and master.read_bytes() == b"source-bytes"
    urls = client.post(f"/api/share/{s.token}/open").json()
    base = urls["playback_url"].rsplit("/hls/", 1)[0]
    assert client.get(urls["playback_url"]).status_code == 200  # the stream itself plays
    for name in ATTEMPTS:
        response = client.get(f"{base}/{name}")
        assert b"source-bytes" not in response.content, name
        assert response.status_code in (404, 409), (name, response.status_code)
    if options["allow_download"]:
        waiting = client.get(urls["download_url"])
        assert waiting.status_code == 409 and "being prepared" in waiting.json()["error"]
