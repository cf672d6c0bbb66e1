"""A newcomer's first minute: sign in with a demo account from the README, open a demo project,
find its deliverable Ready, and play it (desktop and phone). Create link is offered only on a
ready version."""

from __future__ import annotations

from sqlalchemy import select

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.demo import DELIVERABLE, DEMO_ACCOUNTS, load_demo_data
from portal.models import Asset, Project, Tenant, User
from portal.services.media.assets import create_asset_version
from tests.e2e.test_sign_in import open_login, sign_in

CAMPAIGN = "Spring Savings Campaign"
PRODUCER = next(a for a in DEMO_ACCOUNTS if a.tenant == "Harbour & Co")


def _processing_version() -> str:
    """Another deliverable of the campaign, still processing (as right after an upload)."""
    with tenant_session(None) as session:
        harbour = session.scalar(select(Tenant.id).where(Tenant.name == PRODUCER.tenant))
    with tenant_session(TenantContext(tenant_id=harbour)) as session:
        project = session.scalar(select(Project.id).where(Project.title == CAMPAIGN))
        uploader = session.scalar(select(User.id).where(User.email == PRODUCER.email))
        asset = create_asset_version(
            session=session,
            project_id=project,
            title="Cutdown 15s",
            uploader_id=uploader,
            status="processing",
        )
        return str(asset.id)


def _plays(page) -> None:
    page.wait_for_selector("#asset-status[data-status=ready]")
    page.wait_for_selector("#player-box hls-video, #player-box video", state="attached")
    page.evaluate(
        "() => { const m = document.querySelector('#player-box hls-video, #player-box video');"
        " m.muted = true; m.play(); }"
    )
    page.wait_for_function("window.portalPlayer && window.portalPlayer.time() > 0.2")


def _signed_in(browser, app_url: str, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    # hls.js start-up and playback are slower on a loaded 2-core machine.
    page.set_default_timeout(60_000)
    open_login(page, app_url)
    sign_in(page, PRODUCER.email, PRODUCER.password)
    page.wait_for_url(f"{app_url}/")
    return page


def test_a_demo_producer_finds_a_ready_deliverable_and_plays_it(browser, app_url: str) -> None:
    load_demo_data()  # what `make run` does first (idempotent), into the database served
    waiting = _processing_version()

    page = _signed_in(browser, app_url, {"width": 1440, "height": 900})
    try:
        page.goto(app_url + routes.PROJECTS)
        page.get_by_role("link", name=CAMPAIGN).first.click()
        page.wait_for_url("**/project?id=*")
        row = page.locator(".deliverable-row", has_text=DELIVERABLE.format(project=CAMPAIGN))
        assert "Ready" in row.locator(".deliverable-status").inner_text()
        assert "v2" in row.inner_text()
        row.locator(".deliverable-link").click()
        page.wait_for_url("**/asset?id=*")
        _plays(page)
        page.click("#share-toggle")  # the Share panel starts closed
        assert page.locator("#share-create").is_visible()
        # A version still processing: nothing to share yet, and the page says so.
        page.goto(app_url + routes.asset_url(waiting))
        page.wait_for_selector("#asset-status[data-status=processing]")
        page.wait_for_selector("#share-not-ready")
        assert page.locator("#share-create").count() == 0
    finally:
        page.context.close()

    with tenant_session(None) as session:
        harbour = session.scalar(select(Tenant.id).where(Tenant.name == PRODUCER.tenant))
    with tenant_session(TenantContext(tenant_id=harbour)) as session:
        first = session.scalar(
            select(Asset.id).where(
                Asset.title == DELIVERABLE.format(project=CAMPAIGN), Asset.status == "ready"
            )
        )
    phone = _signed_in(browser, app_url, {"width": 390, "height": 844})
    try:
        phone.goto(app_url + routes.asset_url(str(first)))
        _plays(phone)
    finally:
        phone.context.close()
