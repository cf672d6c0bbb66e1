"""@mentions in the review comment box: typing @ suggests the people who can see the version,
choosing one puts its handle in the text, and the posted comment shows it as a chip."""

from __future__ import annotations

from playwright.sync_api import expect

from portal import routes
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio, ready_version


def test_mention_suggested_chosen_and_shown_as_chip(page, app_url: str) -> None:
    s = make_studio()
    asset = ready_version(s, duration=20)
    # The studio admin sees the agency's people (RLS decides who is listed).
    handle = s.member.email.split("@")[0]
    open_login(page, app_url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    page.goto(app_url + routes.asset_url(str(asset.id)))
    body = page.locator("#asset-comment-body")
    page.wait_for_function(
        "(() => { const b = document.getElementById('asset-comment-body');"
        " return !!b && (b.dataset.mentions || '').includes('Sam Member'); })()"
    )
    page.wait_for_function("window.portalMentions !== undefined")

    body.click()
    body.press_sequentially("Please check @sa")
    options = page.locator("#mention-suggestions .mention-option")
    expect(options).to_have_count(1)
    expect(options).to_have_text(f"Sam Member @{handle}")
    body.press("Enter")
    expect(page.locator("#mention-suggestions")).to_have_count(0)
    expect(body).to_have_value(f"Please check @{handle} ")
    body.press_sequentially("the logo")
    # Nobody by that handle: no suggestion, and it stays plain text.
    body.press_sequentially(" and @zz")
    expect(page.locator("#mention-suggestions")).to_have_count(0)
    page.click("#post-asset-comment")

    chip = page.locator(".asset-comment .mention-chip")
    expect(chip).to_have_text(f"@{handle}")
    expect(chip).to_have_attribute("title", "Sam Member")
    expect(page.locator(".asset-comment .comment-body")).to_have_text(
        f"Please check @{handle} the logo and @zz"
    )

    # On a phone the suggestions open under the box too, and a tap chooses.
    page.set_viewport_size({"width": 390, "height": 844})
    body.click()
    body.press_sequentially("@ada")
    option = page.locator("#mention-suggestions .mention-option")
    expect(option).to_have_text(f"Ada Admin @{s.admin.email.split('@')[0]}")
    option.click()
    expect(body).to_have_value(f"@{s.admin.email.split('@')[0]} ")
