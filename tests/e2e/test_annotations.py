"""Draw on a paused frame, save the comment, reload, click the comment and find the drawing on
the same spot of the picture at two player sizes and in fullscreen — measured both from the
overlay's boxes and from screenshots (drawings shown vs hidden). The clip is a portrait phone
video, so the picture is pillarboxed inside the 16:9 player: the layer must follow the picture,
not the element."""

from __future__ import annotations

import base64

from playwright.sync_api import expect

from portal import routes
from portal.services.media.assets import accept_upload
from portal.services.media.processing import process_asset
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.media_support import store

MEDIA = "document.querySelector('#player-box hls-video, #player-box video')"
READY = f"(() => {{ const m = {MEDIA}; return m && m.readyState >= 2 && m.videoWidth > 0; }})()"
# The drawing layer lies exactly on the picture (the video's box less the letterboxing).
ON_PICTURE = f"""(() => {{
  const m = {MEDIA}, layer = document.querySelector('.annotation-layer');
  if (!m || !layer || !m.videoWidth) return false;
  const e = m.getBoundingClientRect(), b = layer.getBoundingClientRect();
  const s = Math.min(e.width / m.videoWidth, e.height / m.videoHeight);
  const w = m.videoWidth * s, h = m.videoHeight * s;
  const x = e.left + (e.width - w) / 2, y = e.top + (e.height - h) / 2;
  return [b.left - x, b.top - y, b.width - w, b.height - h].every((d) => Math.abs(d) < 1);
}})()"""
LABEL = '<img src=x onerror="window.__xss=1">'
# Bounding box of the pixels that differ between two screenshots (decoded by the browser).
DIFF_BOX = """async ([a, b]) => {
  const pixels = async (src) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + src;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    return g.getImageData(0, 0, c.width, c.height);
  };
  const [p, q] = [await pixels(a), await pixels(b)];
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) {
    const i = (y * p.width + x) * 4;
    const d = Math.abs(p.data[i] - q.data[i]) + Math.abs(p.data[i + 1] - q.data[i + 1])
      + Math.abs(p.data[i + 2] - q.data[i + 2]);
    if (d > 60) {
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : {x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1};
}"""


def relative(box: dict, picture: dict) -> tuple[float, ...]:
    """A box as fractions of the picture: left, top, right, bottom."""
    return (
        (box["x"] - picture["x"]) / picture["w"],
        (box["y"] - picture["y"]) / picture["h"],
        (box["x"] + box["w"] - picture["x"]) / picture["w"],
        (box["y"] + box["h"] - picture["y"]) / picture["h"],
    )


def outgrow(outer: tuple[float, ...], inner: tuple[float, ...]) -> tuple[float, ...]:
    """How far `outer` reaches past `inner` on each side (negative: it falls short)."""
    left, top, right, bottom = (round(v, 3) for v in outer)
    return (inner[0] - left, inner[1] - top, right - inner[2], bottom - inner[3])


def close(a: tuple[float, ...], b: tuple[float, ...], tolerance: float) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def picture(page) -> dict:
    return page.evaluate("window.portalAnnotate.pictureBox()")


def arrow_box(page) -> dict:
    return page.evaluate(
        "(() => { const b = document.querySelector('.annotation-layer [data-shape=arrow] line')"
        ".getBoundingClientRect(); return {x: b.left, y: b.top, w: b.width, h: b.height}; })()"
    )


def _shots(page, clip: dict, visible: bool) -> str:
    page.set_checked("#annotations-visible", visible)
    page.wait_for_selector(
        ".annotation-layer [data-shape=arrow]", state="attached" if visible else "detached"
    )
    return base64.b64encode(page.screenshot(clip=clip)).decode()


def screenshot_box(page) -> tuple[float, ...]:
    """The drawing's box in screenshots of the picture (drawings shown, then hidden: the pixels
    that differ), as fractions of the picture. Hidden before and after must match, so the
    video frame did not change in between (a seek may still be painting)."""
    page.wait_for_function(f"!{MEDIA}.seeking")
    box = picture(page)
    clip = {"x": box["x"], "y": box["y"], "width": box["w"], "height": box["h"]}
    for _ in range(10):
        before = _shots(page, clip, False)
        shown = _shots(page, clip, True)
        if _shots(page, clip, False) == before:
            break
    else:
        raise AssertionError("the picture kept changing while paused")
    page.set_checked("#annotations-visible", True)
    page.wait_for_selector(".annotation-layer [data-shape=arrow]")
    diff = page.evaluate(DIFF_BOX, [shown, before])
    assert diff is not None, "the drawing is not visible in the screenshot"
    return relative(diff, {"x": 0, "y": 0, "w": box["w"], "h": box["h"]})


def drawing_box(page) -> dict:
    """The picture's box once the drawing layer takes the pointer, with the player in view.
    Picking a tool switches drawing on at once, but annotate.js lets the layer take the pointer
    only at its next animation frame: a click before that (a busy machine) lands on the video,
    which starts playing, and nothing is drawn."""
    page.wait_for_selector(".annotation-layer.drawing")
    # The comment box is under the player: after posting, the picture may be scrolled past.
    page.locator("#player-box").scroll_into_view_if_needed()
    return picture(page)


def at(box: dict, point: tuple[float, float]) -> tuple[float, float]:
    """A point given as fractions of the picture, in viewport pixels."""
    return box["x"] + point[0] * box["w"], box["y"] + point[1] * box["h"]


def drag(page, start: tuple[float, float], end: tuple[float, float]) -> None:
    box = drawing_box(page)
    page.mouse.move(*at(box, start))
    page.mouse.down()
    page.mouse.move(*at(box, end), steps=6)
    page.mouse.up()


def open_paused(page, url: str, seconds: float) -> None:
    """The page at `url`, its video paused at `seconds`, and the drawing script loaded (tool
    buttons do nothing before it is)."""
    page.goto(url)
    page.wait_for_function(READY)
    page.wait_for_function("window.portalAnnotate !== undefined")
    page.evaluate(f"window.portalPlayer.seek({seconds})")
    page.wait_for_function(f"Math.abs(window.portalPlayer.time() - {seconds}) < 0.005")


def test_draw_arrow_save_reload_and_same_spot_at_two_sizes(page, app_url: str, clips) -> None:
    s = make_studio()
    asset = accept_upload(
        ctx=s.admin_ctx,
        project_id=s.project.id,
        title="Phone spot",
        stored=store(clips["rotated_phone.mp4"]),
    )
    assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "ready"
    page.set_default_timeout(60_000)
    open_login(page, app_url)
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    url = app_url + routes.asset_url(str(asset.id))

    # A text label first, on another frame: whatever it says stays text.
    open_paused(page, url, 0.2)
    page.fill("#annotate-text", LABEL)
    page.click("[data-annotate-tool=text]")
    page.mouse.click(*at(drawing_box(page), (0.1, 0.1)))
    page.wait_for_function("window.portalAnnotate.shapes().length === 1")
    page.fill("#asset-comment-body", "Label check")
    page.click("#post-asset-comment")
    page.wait_for_selector(".asset-comment")
    page.wait_for_function("window.portalAnnotate.shapes().length === 0")

    # The arrow on the paused frame at 0.52 s; undo and redo on the way.
    page.evaluate("window.portalPlayer.seek(0.52)")
    page.wait_for_function("Math.abs(window.portalPlayer.time() - 0.52) < 0.005")
    box = picture(page)
    # Portrait 180×320 inside a 16:9 player: pillarboxed, and the layer follows the picture.
    assert abs(box["w"] / box["h"] - 180 / 320) < 0.02
    page.click("[data-annotate-tool=arrow]")
    page.click("[data-annotate-color=yellow]")
    drag(page, (0.25, 0.3), (0.6, 0.7))
    page.wait_for_function("window.portalAnnotate.shapes().length === 1")
    page.click(".annotate-undo")
    page.wait_for_function("window.portalAnnotate.shapes().length === 0")
    page.click(".annotate-redo")
    page.wait_for_function("window.portalAnnotate.shapes().length === 1")
    assert '"type":"arrow"' in page.input_value("#comment-annotation")
    # The status line follows the draft at annotate.js's next animation frame.
    expect(page.locator("#annotate-status")).to_contain_text("at 00:00:00:13")
    # The comment stays on the frame drawn on, wherever the playhead goes meanwhile.
    page.evaluate("window.portalPlayer.seek(0.8)")
    page.wait_for_function("Math.abs(window.portalPlayer.time() - 0.8) < 0.005")
    # player.js writes the timecode label and the form's time together: once the label shows
    # 0.8 s, the form has been written since the seek.
    page.wait_for_function(
        "document.getElementById('timecode').textContent === window.portalPlayer.timecode(0.8)"
    )
    assert page.input_value("#comment-timecode") == "0.520"
    page.fill("#asset-comment-body", "Move the logo here")
    page.click("#post-asset-comment")
    page.wait_for_function("document.querySelectorAll('.asset-comment').length === 2")
    page.wait_for_function("document.getElementById('comment-annotation').value === ''")

    open_paused(page, url, 0.0)
    page.wait_for_selector(".annotation-layer [data-shape]", state="detached")
    page.click(".comment-seek >> nth=1")
    page.wait_for_function("Math.abs(window.portalPlayer.time() - 0.52) < 0.005")
    page.wait_for_selector(".annotation-layer [data-shape=arrow]")
    first = relative(arrow_box(page), picture(page))
    assert close(first, (0.25, 0.3, 0.6, 0.7), 0.02), first
    shot_first = screenshot_box(page)
    # Drawn pixels cover the line, and a little more for the stroke and the arrow's head.
    assert all(-0.01 <= grown <= 0.08 for grown in outgrow(shot_first, first)), shot_first

    page.set_viewport_size({"width": 760, "height": 1000})
    width = box["w"]
    page.wait_for_function(f"window.portalAnnotate.pictureBox().w !== {width}")
    page.wait_for_function(ON_PICTURE)  # the layer has followed the resized picture
    assert picture(page)["w"] != width
    second = relative(arrow_box(page), picture(page))
    assert close(first, second, 0.01), (first, second)
    shot_second = screenshot_box(page)
    assert close(shot_first, shot_second, 0.03), (shot_first, shot_second)

    # The label comment: drawn as text, nothing injected.
    page.click(".comment-seek >> nth=0")
    page.wait_for_selector(".annotation-layer text")
    assert page.text_content(".annotation-layer text") == LABEL
    assert page.locator(".annotation-layer img").count() == 0
    assert page.evaluate("window.__xss === undefined")

    # Fullscreen takes the player box, so the drawing stays on top and in place.
    page.click(".comment-seek >> nth=1")
    page.wait_for_selector(".annotation-layer [data-shape=arrow]")
    page.click("#player-fullscreen")
    page.wait_for_function(
        "document.fullscreenElement && document.fullscreenElement.id === 'player-box'"
    )
    page.wait_for_function(ON_PICTURE)
    full = relative(arrow_box(page), picture(page))
    assert close(first, full, 0.01), (first, full)
