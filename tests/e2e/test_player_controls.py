"""The review player's controls: a marker per comment on the scrubber (a bar for a range)
that shows its text on hover and seeks on click, playback speed, looping the marked range,
J stepping back (Chromium cannot play backwards) and the shortcut sheet, at desktop and phone
sizes."""

from __future__ import annotations

from playwright.sync_api import expect

from portal import routes
from portal.db import tenant_session
from portal.services.media.assets import accept_upload
from portal.services.media.comments import add_asset_comment
from portal.services.media.processing import process_asset
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, Studio, make_studio
from tests.media_support import store

MEDIA = "window.portalPlayer.media()"
TIME = f"{MEDIA}.currentTime"


def reviewed_clip(s: Studio, clips) -> str:
    """A ready 1 s clip at 25 fps with a comment at 0.52 s and a range comment 0.2–0.6 s."""
    asset = accept_upload(
        ctx=s.admin_ctx,
        project_id=s.project.id,
        title="Spot",
        stored=store(clips["with_audio.mp4"]),
    )
    assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "ready"
    with tenant_session(s.member_ctx) as session:
        for body, start, end in (("Logo pops here", "0.52", None), ("Hold the logo", "0.2", "0.6")):
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=s.member.id,
                body=body,
                timecode=start,
                end=end,
            )
    return str(asset.id)


def seek(page, seconds: float) -> None:
    page.evaluate(f"window.portalPlayer.seek({seconds})")
    page.wait_for_function(f"Math.abs(window.portalPlayer.time() - {seconds}) < 0.005")


def test_markers_speed_loop_shuttle_and_shortcuts(page, app_url: str, clips) -> None:
    s = make_studio()
    asset_id = reviewed_clip(s, clips)
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1440, "height": 900})
    open_login(page, app_url)
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.goto(app_url + routes.asset_url(asset_id))

    # One marker per thread, placed once the video's duration is known; the range is a bar.
    point = page.locator(".comment-marker:not(.comment-marker-range)")
    ranged = page.locator(".comment-marker-range")
    expect(point).to_be_visible()
    expect(ranged).to_be_visible()
    assert page.locator(".comment-marker").count() == 2
    point_box, range_box = point.bounding_box(), ranged.bounding_box()
    track = page.locator("#review-scrubber").bounding_box()
    assert point_box and range_box and track
    assert range_box["width"] > 0.3 * track["width"] > point_box["width"]
    # Each sits at its time along the track (within a marker's half width).
    assert (
        abs(point_box["x"] + 4 - (track["x"] + 0.52 / 1.0 * track["width"])) < 0.05 * track["width"]
    )

    # Hover shows the comment; a click seeks there (the visible timecode says so).
    expect(point.locator(".marker-tip")).to_be_hidden()
    point.hover()
    expect(point.locator(".marker-tip")).to_be_visible()
    expect(point.locator(".marker-tip")).to_contain_text("Logo pops here")
    point.click()
    expect(page.locator("#timecode")).to_have_text("00:00:00:13")
    ranged.click()
    expect(page.locator("#timecode")).to_have_text("00:00:00:05")

    # Speed: the chosen rate shows and the video plays at it.
    page.click("[data-speed='0.5']")
    expect(page.locator("#player-speed")).to_have_text("0.5×")
    assert page.evaluate(f"{MEDIA}.playbackRate") == 0.5
    expect(page.locator("[data-speed='0.5']")).to_have_attribute("aria-pressed", "true")
    page.click("[data-speed='1']")
    expect(page.locator("#player-speed")).to_have_text("1×")

    # Loop the marked range: without a range it says what to do; with one, the playhead wraps.
    page.click("#loop-range")
    expect(page.locator("#loop-note")).to_have_text("Mark an in and an out point first (I / O).")
    seek(page, 0.2)
    page.click("#mark-in")
    seek(page, 0.6)
    page.locator("body").press("o")
    page.click("#loop-range")
    expect(page.locator("#loop-note")).to_have_text("Looping 00:00:00:05 – 00:00:00:15")
    page.evaluate(
        f"""() => {{ const m = {MEDIA}; window.__wraps = 0; let last = m.currentTime;
        window.__loopWatch = setInterval(() => {{ const t = m.currentTime;
          if (t < last - 0.2) window.__wraps++; last = t; }}, 20);
        m.muted = true; m.play(); }}"""
    )
    page.wait_for_function("window.__wraps >= 2")
    assert page.evaluate(f"!{MEDIA}.ended && {TIME} < 0.7")
    page.click("#loop-range")
    expect(page.locator("#loop-range")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("k")
    page.wait_for_function(f"{MEDIA}.paused")

    # J: Chromium cannot play backwards, so J steps back one second (the sheet says so).
    seek(page, 0.8)
    page.locator("body").press("j")
    page.wait_for_function(f"{TIME} < 0.01")
    assert page.evaluate(f"{MEDIA}.paused")

    # `?` opens the shortcut sheet, Esc closes it; the button does the same for touch.
    page.locator("body").press("?")
    sheet = page.locator("#shortcut-sheet")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("steps back one second")
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()

    # On a phone the controls wrap inside the screen and the sheet opens from its button.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.locator("#shortcuts-button").scroll_into_view_if_needed()
    page.click("#shortcuts-button")
    expect(sheet).to_be_visible()
    assert (sheet.bounding_box() or {"width": 999})["width"] <= 390
    page.click("#shortcut-close")
    expect(sheet).to_be_hidden()
    page.locator("#review-scrubber").scroll_into_view_if_needed()
    point.click()
    expect(page.locator("#timecode")).to_have_text("00:00:00:13")
