"""Push, not poll (issue 18), in two browsers: a comment made on the asset page in one appears on
the same open asset page in the other without a reload, and so does a review decision.
(That an idle page reads nothing meanwhile is shown in tests/state/test_live_push.py.)"""

from __future__ import annotations

from playwright.sync_api import expect

from portal import routes
from tests.e2e.test_review_actions import asset_page, ready_version
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio


def test_a_comment_in_one_browser_appears_on_the_other_open_asset_page(
    page, browser, app_url: str
) -> None:
    s = make_studio()
    asset = ready_version(s)
    # The studio admin has the version open and does nothing.
    open_login(page, app_url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.goto(app_url + routes.asset_url(str(asset.id)))
    page.wait_for_selector("#asset-status")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__noReload = true")
    expect(page.locator(".asset-comment")).to_have_count(0)

    # The agency member, in another browser, comments and approves.
    other = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        member = other.new_page()
        member.set_default_timeout(20_000)
        asset_page(member, app_url, s, str(asset.id))
        member.fill("#asset-comment-body", "The logo needs more room")
        member.click("#post-asset-comment")
        expect(member.locator(".asset-comment")).to_have_count(1)

        # The admin's page shows it without a reload.
        comment = page.locator(".asset-comment", has_text="The logo needs more room")
        expect(comment).to_be_visible()
        assert page.evaluate("window.__noReload") is True

        member.locator("#review-actions").get_by_role("button", name="Approve").click()
        expect(member.locator(".review-status").first).to_have_text("Approved")
    finally:
        other.close()
    expect(page.locator(".review-status").first).to_have_text("Approved")
    assert page.evaluate("window.__noReload") is True
