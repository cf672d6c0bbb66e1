"""The client page of a watermarked link that allows comments, under its Content-Security-Policy:
the overlay (viewer, link, date; a name with markup stays text) lies over the video in the
player and in fullscreen; a guest draws an arrow on a paused frame with a comment, reloads,
seeks to it and finds the arrow; the page raises no CSP violation on the way."""

from __future__ import annotations

import uuid

from portal.db import tenant_session
from portal.models import Asset
from tests.e2e.test_annotations import MEDIA, drag
from tests.e2e.test_share_links import ready_clip
from tests.factories import make_studio
from tests.share_support import make_link, token_of

WATCH = (
    "window.__csp = [];"
    " document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
COVERS = """() => {
  const box = document.getElementById('player-box').getBoundingClientRect();
  const layer = document.querySelector('.watermark-layer').getBoundingClientRect();
  const video = document.querySelector('#player-box hls-video, #player-box video')
    .getBoundingClientRect();
  return {box: [box.width, box.height], layer: [layer.width, layer.height],
          video: [video.width, video.height], screen: [innerWidth, innerHeight],
          full: document.fullscreenElement && document.fullscreenElement.id};
}"""


def wait(page, expression: str) -> None:
    """wait_for_function with a function (a bare expression would be eval'd: the CSP refuses)."""
    page.wait_for_function(f"() => {expression}")


def open_paused(page, url: str, seconds: float) -> None:
    page.goto(url)
    wait(page, f"{MEDIA} && {MEDIA}.readyState >= 2 && {MEDIA}.videoWidth > 0")
    page.evaluate(f"window.portalPlayer.seek({seconds})")
    wait(page, f"Math.abs(window.portalPlayer.time() - {seconds}) < 0.005")


def test_watermark_overlay_and_guest_drawing_round_trip(page, app_url: str, clips) -> None:
    s = make_studio()
    asset_id = ready_clip(s, clips["with_audio.mp4"])
    with tenant_session(s.admin_ctx) as session:
        asset = session.get(Asset, uuid.UUID(asset_id))
    link = make_link(s, asset, name="Legal review", allow_comments=True, watermark=True)
    url = f"{app_url}/s/{token_of(link)}"
    page.set_default_timeout(60_000)
    page.add_init_script(WATCH)
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]

    page.wait_for_selector(".watermark-layer")
    tiles = page.locator(".watermark-tile")
    assert tiles.count() == 12
    assert tiles.first.text_content().startswith("Guest · Legal review · ")
    assert "not a forensic watermark" in page.inner_text("#watermark-notice")
    normal = page.evaluate(COVERS)
    assert normal["full"] is None and normal["layer"] == normal["box"]

    page.click("#player-fullscreen")
    wait(page, "document.fullscreenElement && document.fullscreenElement.id === 'player-box'")
    page.wait_for_timeout(300)
    full = page.evaluate(COVERS)
    assert full["layer"] == full["screen"] and full["video"] == full["screen"], full
    page.evaluate("document.exitFullscreen()")
    wait(page, "!document.fullscreenElement")

    # A guest with markup in their name draws an arrow on the paused frame at 0.52 s.
    open_paused(page, url, 0.52)
    page.click("[data-annotate-tool=arrow]")
    drag(page, (0.25, 0.3), (0.6, 0.7))
    wait(page, "window.portalAnnotate.shapes().length === 1")
    page.fill("#guest-name", "<b>Cleo</b>")
    page.fill("#guest-email", "cleo@client.test")
    page.fill("#guest-comment-body", "Move the logo here")
    page.click("#guest-comment-submit")
    page.wait_for_selector(".guest-comment")
    wait(page, "window.portalAnnotate.shapes().length === 0")  # draft cleared
    wait(page, "document.querySelector('.watermark-tile').textContent.startsWith('<b>Cleo</b> · ')")

    page.reload()
    # The seek waits for the media: click only once the video can show the frame.
    wait(page, f"{MEDIA} && {MEDIA}.readyState >= 2 && {MEDIA}.videoWidth > 0")
    page.wait_for_selector(".guest-comment [data-drawing]")
    page.click(".guest-comment [data-drawing]")
    page.wait_for_selector(".annotation-layer [data-shape=arrow]")
    assert page.evaluate("window.__csp") == []
