"""The asset page's actions in the browser (issue 20.6 and 20.9): Reply on a fresh page replies
in that thread; an approved version offers only the step its state allows; revoking a share
link asks first, and Cancel keeps the link."""

from __future__ import annotations

from uuid import UUID

from playwright.sync_api import expect

from portal import routes
from portal.db import tenant_session
from portal.models import Comment, ShareLink
from portal.services.media.comments import add_asset_comment
from portal.services.media.review import decide
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, Studio, make_studio
from tests.share_support import make_link, ready_asset, write_media


def asset_page(page, app_url: str, studio: Studio, asset_id: str) -> None:
    """Sign in as the agency member, then open the asset page with a full page load."""
    open_login(page, app_url)
    sign_in(page, studio.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.goto(app_url + routes.asset_url(asset_id))
    page.wait_for_selector("#asset-status")
    page.wait_for_load_state("networkidle")


def ready_version(studio: Studio):
    asset = ready_asset(studio)
    write_media(asset)
    return asset


def test_reply_on_a_fresh_page_stays_in_its_thread(page, app_url: str) -> None:
    s = make_studio()
    asset = ready_version(s)
    with tenant_session(s.member_ctx) as session:
        first = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=s.member.id,
            body="The logo is too small",
            timecode="2",
        )
    asset_page(page, app_url, s, str(asset.id))
    thread = page.locator(".asset-comment", has_text="The logo is too small")
    thread.get_by_role("button", name="Reply").click()
    expect(page.locator("#replying")).to_have_text("Replying in thread")
    page.fill("#asset-comment-body", "Made it bigger in the next cut")
    page.click("#post-asset-comment")

    comments = page.locator(".asset-comment")
    expect(comments).to_have_count(2)
    expect(comments.nth(1)).to_contain_text("Made it bigger in the next cut")
    # A reply has no timecode button of its own: it sits under its thread's first comment.
    expect(comments.nth(0).locator(".comment-seek")).to_have_count(1)
    expect(comments.nth(1).locator(".comment-seek")).to_have_count(0)
    assert "#" not in page.url
    with tenant_session(s.member_ctx) as session:
        reply = session.query(Comment).filter_by(body="Made it bigger in the next cut").one()
        assert reply.reply_to_id == first.id and reply.parent_id == asset.id


def test_an_approved_version_offers_only_what_its_state_allows(page, app_url: str) -> None:
    s = make_studio()
    asset = ready_version(s)
    with tenant_session(s.member_ctx) as session:
        decide(session=session, asset_id=asset.id, user_id=s.member.id, decision="approved")
    asset_page(page, app_url, s, str(asset.id))
    actions = page.locator("#review-actions")
    expect(actions.get_by_role("button", name="Back to review")).to_be_visible()
    expect(actions.get_by_role("button", name="Request changes")).to_have_count(0)
    expect(actions.get_by_role("button", name="Approve")).to_have_count(0)

    actions.get_by_role("button", name="Back to review").click()
    expect(actions.get_by_role("button", name="Request changes")).to_be_visible()
    expect(actions.get_by_role("button", name="Approve")).to_be_visible()
    expect(actions.get_by_role("button", name="Back to review")).to_have_count(0)
    actions.get_by_role("button", name="Request changes").click()
    expect(page.locator(".review-status").first).to_have_text("Changes requested")
    expect(actions.get_by_role("button", name="Request changes")).to_have_count(0)
    expect(actions.get_by_role("button", name="Back to review")).to_be_visible()
    expect(page.locator("#page-error")).to_have_count(0)


def test_revoking_a_link_asks_first_and_cancel_keeps_it(page, app_url: str) -> None:
    s = make_studio()
    asset = ready_version(s)
    link = make_link(s, asset, name="Client cut")
    asset_page(page, app_url, s, str(asset.id))
    page.get_by_role("button", name="Share links (1)").click()
    row = page.locator(".share-link-row", has_text="Client cut")
    expect(row.locator(".share-status")).to_have_text("Active")

    row.get_by_role("button", name="Revoke").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Revoke this link?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(row.locator(".share-status")).to_have_attribute("data-status", "active")
    with tenant_session(s.member_ctx) as session:
        assert session.get(ShareLink, UUID(link.id)).status == "active"

    row.get_by_role("button", name="Revoke").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Revoke link").click()
    expect(row.locator(".share-status")).to_have_attribute("data-status", "revoked")
