"""A new deliverable's first upload is v1 in every bell (not the project's upload count), the
second is v2; and the agency that owns the project hears of each new cut, on a phone too."""

from __future__ import annotations

from pathlib import Path

from portal import routes
from portal.db import tenant_session
from portal.services.media.assets import create_asset_version
from tests.e2e.test_asset_review import drain_media_queue
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _signed_in(browser, app_url: str, email: str, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    # Processing and the live bell are slower on a loaded 2-core machine.
    page.set_default_timeout(60_000)
    open_login(page, app_url)
    sign_in(page, email, PASSWORD)
    page.wait_for_selector("#bell")
    return page


def _upload(page, app_url: str, project_id: str, title: str, clip: Path) -> None:
    page.goto(app_url + routes.project_url(project_id))
    page.wait_for_selector("#upload-button")
    page.wait_for_load_state("networkidle")
    page.fill("#upload-title", title)
    page.set_input_files("#asset-upload input[type=file]", str(clip))
    page.click("#upload-button")
    page.wait_for_url("**/asset?id=*")
    page.wait_for_selector("#asset-status[data-status=processing]")
    drain_media_queue()
    page.wait_for_selector("#asset-status[data-status=ready]")


def _count_is(page, n: int) -> None:
    page.wait_for_function(f"document.querySelector('#bell-count')?.innerText === '{n}'")


def _first_in_bell(page) -> str:
    page.click("#bell")
    first = page.locator(".bell-item").first
    first.wait_for()
    text = first.inner_text()
    page.keyboard.press("Escape")
    page.locator(".bell-item").first.wait_for(state="detached")
    return text


def test_bells_name_the_deliverables_own_version(browser, app_url: str, clips) -> None:
    s = make_studio()
    # The project already holds another deliverable: "Hero film" starts a new one.
    with tenant_session(s.admin_ctx) as session:
        create_asset_version(session=session, project_id=s.project.id, title="Teaser")
    studio = _signed_in(browser, app_url, s.admin.email, DESKTOP)
    producer = _signed_in(browser, app_url, s.member.email, PHONE)
    try:
        project = str(s.project.id)
        _upload(studio, app_url, project, "Hero film", clips["with_audio.mp4"])
        _count_is(studio, 1)
        assert "“Hero film” v1 is ready to review" in _first_in_bell(studio)
        _count_is(producer, 1)
        assert "Ada Admin uploaded “Hero film” v1: ready to review" in _first_in_bell(producer)

        _upload(studio, app_url, project, "Hero film", clips["no_audio_odd.mov"])
        assert studio.inner_text("#page-heading") == "Hero film v2"
        _count_is(studio, 2)
        assert "“Hero film” v2 is ready to review" in _first_in_bell(studio)
        # The agency producer, on a phone, hears of the new cut live and opens it from the bell.
        _count_is(producer, 2)
        producer.click("#bell")
        newest = producer.locator(".bell-item").first
        assert "Ada Admin uploaded “Hero film” v2: ready to review" in newest.inner_text()
        newest.click()
        producer.wait_for_url("**/asset?id=*")
        producer.wait_for_function(
            "document.getElementById('page-heading')?.innerText === 'Hero film v2'"
        )
        producer.wait_for_selector("#asset-status[data-status=ready]")
    finally:
        studio.context.close()
        producer.context.close()
