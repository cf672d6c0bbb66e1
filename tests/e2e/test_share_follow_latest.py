""" "Always latest" in a browser: the owner makes one link that follows the latest version and one
that stays; a client has both open; a new version becomes ready; the open "always latest" page
switches to it at its next renewal (a reload too), the pinned one keeps its version."""

from __future__ import annotations

from portal import routes
from portal.services.sharing.follow import follow_new_version
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.share_support import ready_asset, write_media


def create(owner, name: str, *, follow: bool) -> str:  # type: ignore[no-untyped-def]
    owner.fill("#share-name", name)
    checked = owner.get_attribute("#share-follow-latest", "data-state") == "checked"
    if checked != follow:
        owner.click("#share-follow-latest")
    owner.click("#share-create")
    owner.wait_for_selector("#share-new-url")
    url = owner.inner_text("#share-new-url").strip()
    owner.get_by_role("button", name="Done").click()
    owner.wait_for_selector("#share-new-url", state="detached")
    return url


def test_always_latest_link_plays_the_new_version(page, browser, app_url: str) -> None:
    s = make_studio()
    page.set_default_timeout(60_000)
    v1 = ready_asset(s, title="Hero film")
    write_media(v1)
    open_login(page, app_url)
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.goto(app_url + routes.asset_url(str(v1.id)))
    page.wait_for_selector("#share-toggle")
    page.wait_for_load_state("networkidle")
    page.click("#share-toggle")
    latest = create(page, "Always latest", follow=True)
    pinned = create(page, "Pinned", follow=False)
    page.wait_for_selector(".share-link-row:has-text('always latest')")

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        following, staying = context.new_page(), context.new_page()
        for tab, url in ((following, latest), (staying, pinned)):
            tab.set_default_timeout(60_000)
            assert tab.goto(url).status == 200
            tab.wait_for_selector("#share-title:has-text('Hero film v1')")
            tab.wait_for_load_state("networkidle")

        v2 = ready_asset(s, title="Hero film")
        write_media(v2)
        assert follow_new_version(asset_id=v2.id, tenant_id=v2.tenant_id)["links_moved"] == 1

        # The page's renewal (every few minutes) finds the link on v2 and switches to it.
        following.evaluate("document.getElementById('share-renew').click()")
        following.wait_for_selector("#share-title:has-text('Hero film v2')")
        following.reload()
        following.wait_for_selector("#share-title:has-text('Hero film v2')")

        staying.evaluate("document.getElementById('share-renew').click()")
        staying.reload()
        staying.wait_for_selector("#share-title:has-text('Hero film v1')")
    finally:
        context.close()
