"""Upload a short clip in the browser, watch it become ready without reloading, play it, leave
a timecoded comment, click it and see the player seek."""

from __future__ import annotations

from portal import routes
from portal.jobs.app import job_app
from portal.services.media.assets import MEDIA_QUEUE
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.jobs.support import run_async


def drain_media_queue() -> None:
    """The browser test's server runs no worker: process queued media jobs here."""
    import portal.jobs.media  # noqa: F401

    async def _run() -> None:
        async with job_app.open_async():
            await job_app.run_worker_async(
                queues=[MEDIA_QUEUE], wait=False, install_signal_handlers=False, concurrency=1
            )

    run_async(_run)


def test_upload_play_comment_and_seek(page, app_url: str, clips) -> None:
    s = make_studio()
    # Processing, hls.js start-up and playback are slower on a loaded 2-core machine.
    page.set_default_timeout(60_000)
    open_login(page, app_url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.goto(app_url + routes.project_url(str(s.project.id)))
    page.wait_for_selector("#upload-button")
    page.wait_for_load_state("networkidle")

    page.fill("#upload-title", "Hero film")
    page.set_input_files("#asset-upload input[type=file]", str(clips["with_audio.mp4"]))
    page.click("#upload-button")
    page.wait_for_url("**/asset?id=*")
    page.wait_for_selector("#asset-status[data-status=processing]")
    # A marker a full page load would wipe: the status must change live.
    page.evaluate("window.__noReload = true")
    drain_media_queue()
    page.wait_for_selector("#asset-status[data-status=ready]")
    assert page.evaluate("window.__noReload === true")

    # Play (muted, as browsers allow without a gesture) until time moves, then pause.
    page.wait_for_selector("#player-box hls-video, #player-box video", state="attached")
    page.evaluate(
        "() => { const m = document.querySelector('#player-box hls-video, #player-box video');"
        " m.muted = true; m.play(); }"
    )
    page.wait_for_function("window.portalPlayer && window.portalPlayer.time() > 0.2")
    page.keyboard.press("k")
    page.evaluate("window.portalPlayer.seek(0.52)")
    page.wait_for_function("document.getElementById('comment-timecode').value === '0.520'")
    assert page.inner_text("#timecode") == "00:00:00:13"

    page.fill("#asset-comment-body", "Logo pops here; call me on 0412 345 678")
    page.click("#post-asset-comment")
    page.wait_for_selector(".asset-comment")
    assert "[phone removed]" in page.inner_text(".asset-comment .comment-body")
    assert "00:00:00:13" in page.inner_text(".comment-seek")

    page.evaluate("window.portalPlayer.seek(0)")
    page.wait_for_function("window.portalPlayer.time() < 0.01")
    page.click(".comment-seek")
    page.wait_for_function("Math.abs(window.portalPlayer.time() - 0.52) < 0.01")
    page.wait_for_function("document.getElementById('timecode').textContent === '00:00:00:13'")

    # A range comment: in point by button, out point by the O key, shown on the comment.
    page.evaluate("window.portalPlayer.seek(0.2)")
    page.wait_for_function("window.portalPlayer.time() > 0.19")
    page.click("#mark-in")
    page.evaluate("window.portalPlayer.seek(0.6)")
    page.wait_for_function("window.portalPlayer.time() > 0.59")
    page.locator("body").press("o")
    page.wait_for_function("document.getElementById('comment-end').value === '0.600'")
    assert page.inner_text("#comment-range") == "Range 00:00:00:05 – 00:00:00:15"
    page.fill("#asset-comment-body", "Hold the logo")
    page.click("#post-asset-comment")
    ranged = page.locator(".comment-seek", has_text="00:00:00:05 – 00:00:00:15")
    ranged.wait_for()
    page.wait_for_function("document.getElementById('comment-end').value === ''")
    ranged.click()
    page.wait_for_function("Math.abs(window.portalPlayer.time() - 0.2) < 0.01")
