"""Compare two versions in the browser: from the version stack to side by side, both players
within one frame after play, after a seek and after a frame step (their times and the visible
timecodes), the wipe's handle dragged, stacked on a phone; and an earlier version's comments
shown on the newer one, marked with their version, resolved there and resolved on v1 too."""

from __future__ import annotations

import subprocess
from pathlib import Path

from playwright.sync_api import expect

from portal import routes
from portal.db import tenant_session
from portal.integrations.media_local import ffmpeg
from portal.services.media.assets import accept_upload
from portal.services.media.comments import add_asset_comment
from portal.services.media.processing import process_asset
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, Studio, make_studio
from tests.media_support import store

A = "window.portalCompare.video('a')"
B = "window.portalCompare.video('b')"
READY = "(() => { if (!window.portalCompare) return false;"
READY += f" const a = {A}, b = {B}; return !!(a && b && a.readyState >= 2"
READY += " && b.readyState >= 2 && a.duration > 0 && b.duration > 0); })()"
SETTLED = f"(() => {{ const a = {A}, b = {B}; return a.paused && b.paused && !a.seeking"
SETTLED += " && !b.seeking; })()"
IN_STEP = f"Math.abs({A}.currentTime - {B}.currentTime) < 1 / 25"


def recut(source: Path, target: Path) -> Path:
    """The same picture in a different file (an identical file is refused as a duplicate)."""
    args = ["-i", str(source), "-c", "copy", "-metadata", "title=second cut"]
    subprocess.run([ffmpeg(), "-v", "error", "-y", *args, str(target)], check=True)
    return target


def two_versions(s: Studio, clips, folder: Path) -> tuple[str, str]:
    """v1 and v2 of "Hero film", both processed; v1 has a comment at 0.52 s."""
    ids = []
    first = clips["with_audio.mp4"]
    for path in (first, recut(first, folder / "second_cut.mp4")):
        asset = accept_upload(
            ctx=s.admin_ctx, project_id=s.project.id, title="Hero film", stored=store(path)
        )
        assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "ready"
        ids.append(str(asset.id))
    with tenant_session(s.member_ctx) as session:
        add_asset_comment(
            session=session,
            asset_id=ids[0],
            author_id=s.member.id,
            body="Logo too small in the first cut",
            timecode="0.52",
        )
    return ids[0], ids[1]


def in_step(page) -> None:
    """Both paused, settled, within a frame, and showing the same timecode."""
    page.wait_for_function(SETTLED)
    page.wait_for_function(IN_STEP)
    a = page.inner_text("#timecode-a")
    expect(page.locator("#timecode-b")).to_have_text(a)


def signed_in(page, app_url: str, s: Studio) -> None:
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1440, "height": 900})
    open_login(page, app_url)
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")


def test_side_by_side_in_step_and_wipe(page, app_url: str, clips, tmp_path: Path) -> None:
    s = make_studio()
    v1, v2 = two_versions(s, clips, tmp_path)
    signed_in(page, app_url, s)
    page.goto(app_url + routes.asset_url(v2))

    # From the version stack: choose v1, then open the side-by-side view.
    page.click(".version-row .compare-version")
    page.click("#open-compare-side")
    page.wait_for_url("**/compare?**")
    assert f"a={v1}" in page.url and f"b={v2}" in page.url
    page.wait_for_function(READY)
    expect(page.locator(".compare-pane-a")).to_contain_text("v1")
    expect(page.locator(".compare-pane-b")).to_contain_text("v2")

    # Play moves both; paused again, they are within a frame of each other.
    page.evaluate(f"{A}.muted = true; {B}.muted = true")
    page.click("#compare-play")
    page.wait_for_function(f"{A}.currentTime > 0.3 && {B}.currentTime > 0.3")
    # (The clips are 1 s long: on a slow machine they may have ended already.)
    if page.inner_text("#compare-play") == "Pause":
        page.click("#compare-play")
    in_step(page)
    assert page.evaluate(f"{A}.currentTime") > 0.3

    # A seek on the shared bar moves both (to about the middle of the 1 s clips).
    bar = page.locator("#compare-seek").bounding_box()
    assert bar
    page.mouse.click(bar["x"] + bar["width"] * 0.5, bar["y"] + bar["height"] / 2)
    page.wait_for_function(f"Math.abs({A}.currentTime - 0.5) < 0.1")
    in_step(page)
    before = page.inner_text("#timecode-a")
    page.click("#compare-forward")
    page.wait_for_function(f"document.getElementById('timecode-a').textContent !== {before!r}")
    in_step(page)
    frames = [int(page.inner_text(f"#timecode-{side}").rsplit(":", 1)[1]) for side in "ab"]
    assert frames[0] == frames[1] == int(before.rsplit(":", 1)[1]) + 1

    # Wipe: one frame, v2 over v1 clipped at the split; the handle drags the split.
    page.click("#compare-mode-wipe")
    handle = page.locator("#wipe-handle")
    expect(handle).to_be_visible()
    stage = page.locator("#compare-stage").bounding_box()
    a_box = page.locator(".compare-pane-a").bounding_box()
    b_box = page.locator(".compare-pane-b").bounding_box()
    assert stage and a_box and b_box
    assert abs(a_box["y"] - b_box["y"]) < 1 and abs(a_box["width"] - b_box["width"]) < 1
    h = handle.bounding_box()
    assert h and abs(h["x"] + h["width"] / 2 - (stage["x"] + stage["width"] / 2)) < 3
    page.mouse.move(h["x"] + h["width"] / 2, h["y"] + h["height"] / 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] * 0.25, h["y"] + h["height"] / 2, steps=8)
    page.mouse.up()
    expect(handle).to_have_attribute("aria-valuenow", "25")
    h = handle.bounding_box()
    assert h and abs(h["x"] + h["width"] / 2 - (stage["x"] + stage["width"] * 0.25)) < 3
    clip = page.evaluate("getComputedStyle(document.querySelector('.compare-pane-b')).clipPath")
    assert "25%" in clip, clip
    # Still in step after the mode change.
    in_step(page)

    # On a phone, side by side stacks the versions vertically, inside the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.click("#compare-mode-side")
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    a_box = page.locator(".compare-pane-a").bounding_box()
    b_box = page.locator(".compare-pane-b").bounding_box()
    assert a_box and b_box and b_box["y"] >= a_box["y"] + a_box["height"] - 1
    page.click("#compare-back")
    in_step(page)


def test_earlier_comments_on_the_newer_version(page, app_url: str, clips, tmp_path: Path) -> None:
    s = make_studio()
    v1, v2 = two_versions(s, clips, tmp_path)
    signed_in(page, app_url, s)
    page.goto(app_url + routes.asset_url(v2))
    expect(page.locator("#no-comments")).to_be_visible()

    toggle = page.get_by_role("checkbox", name="Show v1 comments")
    toggle.click()
    expect(toggle).to_be_checked()
    old = page.locator(".asset-comment", has_text="Logo too small in the first cut")
    expect(old).to_be_visible()
    expect(old.locator(".from-version")).to_have_text("From v1")
    expect(old.locator(".comment-reply")).to_have_count(0)
    # Its marker is on the scrubber too, saying which version it is from.
    marker = page.locator(".comment-marker")
    expect(marker).to_have_count(1)
    expect(marker.locator(".marker-tip")).to_contain_text("v1 · 00:00:00:13")

    old.locator(".comment-resolve").click()
    expect(old).to_contain_text("Resolved")
    toggle.click()
    expect(toggle).not_to_be_checked()
    expect(old).to_have_count(0)

    # On v1 itself the thread is resolved too.
    page.goto(app_url + routes.asset_url(v1))
    mine = page.locator(".asset-comment", has_text="Logo too small in the first cut")
    expect(mine).to_contain_text("Resolved")
    expect(mine.locator(".from-version")).to_have_count(0)
