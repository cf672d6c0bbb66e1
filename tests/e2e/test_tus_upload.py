"""Resumable uploads in a real browser (tus-js-client → /api/tus/): progress, pause and resume,
a reload mid-upload that resumes from the server's offset, and the version it becomes.

The upload is held at a known offset by intercepting the PATCH that would go past it (the
server has stored exactly the chunks before it); nothing waits for time."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, Route, expect

from portal import routes
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, Studio, make_studio

CHUNK = 16 * 1024
HELD_AT = 2 * CHUNK


class Hold:
    """Holds (never answers) PATCHes of uploads at or past HELD_AT while `on`."""

    def __init__(self) -> None:
        self.on = True
        self.held: list[Route] = []

    def __call__(self, route: Route, request: Request) -> None:
        offset = int(request.headers.get("upload-offset", "0"))
        if self.on and request.method == "PATCH" and offset >= HELD_AT:
            self.held.append(route)
            return
        route.continue_()


def patch_at(offset: int):
    def matches(request: Request) -> bool:
        return request.method == "PATCH" and request.headers.get("upload-offset") == str(offset)

    return matches


def open_project(page: Page, app_url: str, s: Studio) -> None:
    page.goto(app_url + routes.project_url(str(s.project.id)))
    page.wait_for_selector("#upload-button")
    page.wait_for_load_state("networkidle")
    # Small chunks, so a tiny clip takes several PATCHes (the page's default is 16 MiB).
    page.evaluate(f"document.getElementById('asset-upload').dataset.chunkBytes = '{CHUNK}'")


def start(page: Page, clip: str, title: str) -> None:
    page.fill("#upload-title", title)
    page.set_input_files("#asset-upload input[type=file]", clip)
    expect(page.locator("#tus-chosen")).to_contain_text("with_audio.mp4")
    with page.expect_request(patch_at(HELD_AT)):
        page.click("#upload-button")


@pytest.fixture()
def studio_page(browser, app_url: str):
    def make(width: int, height: int) -> tuple[Page, Studio]:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(60_000)  # a loaded 2-core machine
        s = make_studio()
        open_login(page, app_url)
        sign_in(page, s.admin.email, PASSWORD)
        page.wait_for_url(f"{app_url}/")
        return page, s

    return make


def test_upload_pause_resume_becomes_a_version(studio_page, app_url: str, clips) -> None:
    page, s = studio_page(1440, 900)
    hold = Hold()
    page.route("**/api/tus/**", hold)
    open_project(page, app_url, s)
    start(page, str(clips["with_audio.mp4"]), "Hero film")

    row = page.locator(".tus-item")
    expect(row).to_have_attribute("data-state", "uploading")
    expect(row).to_contain_text("with_audio.mp4")
    expect(page.locator("#upload-guard")).to_have_attribute("data-upload-running", "true")
    row.locator(".tus-pause").click()
    expect(row).to_have_attribute("data-state", "paused")
    expect(row.locator(".tus-detail")).to_contain_text("paused")
    expect(page.locator("#upload-guard")).to_have_attribute("data-upload-running", "false")

    hold.on = False
    with page.expect_request(patch_at(HELD_AT)):  # resumed where the server stopped
        row.locator(".tus-resume").click()
    page.wait_for_url("**/asset?id=*")
    page.wait_for_selector("#asset-status[data-status=processing]")

    page.goto(app_url + routes.project_url(str(s.project.id)))
    expect(page.locator(".deliverable-row")).to_contain_text("Hero film")
    expect(page.locator(".deliverable-row")).to_contain_text("v1")


def test_reload_mid_upload_resumes_from_the_servers_offset(
    studio_page, app_url: str, clips
) -> None:
    page, s = studio_page(390, 844)
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave site?" on reload: yes
    hold = Hold()
    page.route("**/api/tus/**", hold)
    open_project(page, app_url, s)
    start(page, str(clips["with_audio.mp4"]), "Teaser")
    expect(page.locator(".tus-item")).to_have_attribute("data-state", "uploading")

    page.reload()
    page.wait_for_selector("#upload-button")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".tus-unfinished")).to_contain_text("with_audio.mp4")
    page.evaluate(f"document.getElementById('asset-upload').dataset.chunkBytes = '{CHUNK}'")
    hold.on = False
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.headers.get("upload-offset", "")) if r.method == "PATCH" else None,
    )
    page.set_input_files("#asset-upload input[type=file]", str(clips["with_audio.mp4"]))
    page.click("#upload-button")
    page.wait_for_url("**/asset?id=*")
    assert sent and sent[0] == str(HELD_AT)  # nothing stored was sent again
    page.wait_for_selector("#asset-status[data-status=processing]")


def test_a_lost_connection_is_retried_with_backoff(studio_page, app_url: str, clips) -> None:
    page, s = studio_page(1440, 900)
    cut = {"on": True, "count": 0}

    def drop(route: Route, request: Request) -> None:
        offset = int(request.headers.get("upload-offset", "0"))
        if cut["on"] and request.method == "PATCH" and offset >= HELD_AT:
            cut["count"] += 1
            route.abort("connectionreset")  # the network drops mid-upload
            return
        route.continue_()

    page.route("**/api/tus/**", drop)
    open_project(page, app_url, s)
    start(page, str(clips["with_audio.mp4"]), "Rushes")
    row = page.locator(".tus-item")
    expect(row).to_have_attribute("data-state", "retrying")
    expect(row.locator(".tus-detail")).to_contain_text("retrying")
    cut["on"] = False  # the network is back: the next retry goes through on its own
    page.wait_for_url("**/asset?id=*")
    assert cut["count"] >= 1
