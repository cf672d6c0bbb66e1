"""Client decisions in a browser: the owner creates a link that asks for a decision; a client in
a fresh browser context (1440x900) approves with a note, another on a phone (390x844) double-
clicks *Request changes* (one decision is recorded); the owner sees "Approved by <name>" on the
asset page beside, and apart from, the studio's own approval."""

from __future__ import annotations

from sqlalchemy import select

from portal import routes
from portal.db import tenant_session
from portal.models import ShareDecision
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.share_support import ready_asset, write_media


def create_decision_link(owner, app_url: str, asset_id: str) -> str:
    owner.goto(app_url + routes.asset_url(asset_id))
    owner.wait_for_selector("#share-toggle")
    owner.wait_for_load_state("networkidle")
    owner.click("#share-toggle")  # the Share panel starts closed
    owner.fill("#share-name", "Client sign-off")
    owner.click("#share-ask-decision")
    owner.click("#share-create")
    owner.wait_for_selector("#share-new-url")
    owner.wait_for_selector(".share-link-row:has-text('asks a decision')")
    return owner.inner_text("#share-new-url").strip()


def open_decision(browser, url: str, viewport: dict, name: str, email: str, note: str):  # type: ignore[no-untyped-def]
    """A fresh browser context on the client page, the decision form filled in."""
    context = browser.new_context(viewport=viewport)
    client = context.new_page()
    client.set_default_timeout(60_000)
    response = client.goto(url)
    assert response.status == 200
    client.wait_for_selector("#share-decision")
    client.wait_for_load_state("networkidle")
    assert "Your decision" in client.inner_text("#share-decision")
    client.fill("#decision-name", name)
    client.fill("#decision-email", email)
    client.fill("#decision-note", note)
    return context, client


def test_client_approves_and_owner_sees_it(page, browser, app_url: str) -> None:
    s = make_studio()
    page.set_default_timeout(60_000)
    asset = ready_asset(s, title="Launch film")
    write_media(asset)
    open_login(page, app_url)
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    url = create_decision_link(page, app_url, str(asset.id))

    context, client = open_decision(
        browser,
        url,
        {"width": 1440, "height": 900},
        "Jane Client",
        "jane@client.test",
        "Lovely, ship it",
    )
    try:
        client.click("#decision-approve")
        client.wait_for_selector("#my-decision:has-text('Approved by Jane Client')")
        assert "Lovely, ship it" in client.inner_text("#my-decision")
        assert "Deciding as Jane Client" in client.inner_text("#share-decision")
        box = client.query_selector("#share-decision").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1440
    finally:
        context.close()

    phone, mobile = open_decision(
        browser,
        url,
        {"width": 390, "height": 844},
        "Bob Buyer",
        "bob@client.test",
        "Shorter end card",
    )
    try:
        box = mobile.query_selector("#decision-changes").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # no sideways scrolling
        mobile.dblclick("#decision-changes")
        mobile.wait_for_selector("#my-decision:has-text('Changes requested by Bob Buyer')")
        mobile.wait_for_load_state("networkidle")
    finally:
        phone.close()
    with tenant_session(s.member_ctx) as session:
        rows = session.scalars(select(ShareDecision).order_by(ShareDecision.created_at)).all()
    assert [(r.name, r.decision) for r in rows] == [
        ("Jane Client", "approved"),
        ("Bob Buyer", "changes_requested"),
    ]

    page.goto(app_url + routes.asset_url(str(asset.id)))
    page.wait_for_selector("#client-decisions")
    shown = page.inner_text("#client-decisions")
    assert "Approved by Jane Client" in shown and "Lovely, ship it" in shown
    assert "Changes requested by Bob Buyer" in shown and "Client sign-off" in shown
    # The studio's own approval stays its own: still in review, its buttons still offered.
    assert page.is_visible("#review-actions .review-approved")
