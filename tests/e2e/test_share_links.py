"""The owner creates a passcode-protected link on the asset page; a client in a fresh browser
context enters a wrong then the right passcode, watches and comments; the owner revokes the link
and the client page refuses (HTTP 404, the calm page, no more media)."""

from __future__ import annotations

from portal import routes
from portal.services.media.assets import accept_upload
from portal.services.media.processing import process_asset
from portal.settings import ROOT
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.media_support import store

PLAYING = (
    "() => { const m = document.querySelector('#player-box hls-video, #player-box video');"
    " if (!m) return false; m.muted = true; if (m.paused) m.play(); return m.currentTime > 0.3; }"
)


def ready_clip(studio, clip) -> str:
    """Upload and process a real clip here (the server's media folder is the same)."""
    asset = accept_upload(
        ctx=studio.admin_ctx, project_id=studio.project.id, title="Hero film", stored=store(clip)
    )
    process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)
    return str(asset.id)


def create_link(owner, app_url: str, asset_id: str) -> str:
    owner.goto(app_url + routes.asset_url(asset_id))
    owner.wait_for_selector("#share-toggle")
    owner.wait_for_load_state("networkidle")
    owner.click("#share-toggle")  # the Share panel starts closed
    owner.fill("#share-name", "Client review")
    owner.fill("#share-new-passcode", "tangerine")
    owner.click("#share-allow-comments")
    owner.click("#share-create")
    owner.wait_for_selector("#share-new-url")
    url = owner.inner_text("#share-new-url").strip()
    owner.wait_for_selector(".share-link-row .share-status[data-status=active]")
    return url


def test_client_watches_comments_then_owner_revokes(page, browser, app_url: str, clips) -> None:
    s = make_studio()
    page.set_default_timeout(60_000)
    asset_id = ready_clip(s, clips["with_audio.mp4"])
    open_login(page, app_url)
    sign_in(page, s.member.email, PASSWORD)
    page.wait_for_url(f"{app_url}/")
    url = create_link(page, app_url, asset_id)
    token = url.rsplit("/", 1)[1]
    assert url.startswith(f"{app_url}/s/")

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    client = context.new_page()
    client.set_default_timeout(60_000)
    try:
        response = client.goto(url)
        assert response.status == 200
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        client.wait_for_selector("#share-passcode")
        client.wait_for_load_state("networkidle")
        client.fill("#share-passcode", "lemon")
        client.click("#share-passcode-submit")
        client.wait_for_selector("#passcode-error")
        assert "not right" in client.inner_text("#passcode-error")
        client.fill("#share-passcode", "tangerine")
        client.click("#share-passcode-submit")
        client.wait_for_selector("#share-title")
        assert "Hero film" in client.inner_text("#share-title")
        assert s.agency.name in client.inner_text("#share-brand")

        client.wait_for_selector("#player-box hls-video, #player-box video", state="attached")
        client.wait_for_function(PLAYING)
        loaded = client.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name)"
            ".filter(n => n.includes('/api/share-media/'))"
        )
        segments = [u for u in loaded if u.endswith(".ts")]
        assert segments and not [u for u in loaded if token in u]
        src = segments[0]

        client.keyboard.press("k")
        client.fill("#guest-name", "<b>Cleo</b>")
        client.fill("#guest-email", "cleo@client.test")
        client.fill("#guest-comment-body", "Lovely grade; call me on 0412 345 678")
        client.click("#guest-comment-submit")
        client.wait_for_selector(".guest-comment")
        assert "[phone removed]" in client.inner_text(".guest-comment .guest-comment-body")
        assert "<b>Cleo</b>" in client.inner_text(".guest-comment")  # shown as text

        page.reload()
        page.wait_for_selector("#share-toggle:has-text('Share links (1)')")
        page.click("#share-toggle")
        page.wait_for_selector(".share-link-row .share-status[data-status=active]")
        # The tab's earlier state shows first after a reload; on_load then brings the count.
        page.wait_for_function(
            "document.querySelector('.share-link-row')?.innerText.includes('Views 1')"
        )
        page.click(".share-link-row .share-revoke")
        page.get_by_role("alertdialog").get_by_role("button", name="Revoke link").click()
        page.wait_for_selector(".share-link-row .share-status[data-status=revoked]")

        media = client.evaluate(f"fetch({src!r}).then(r => r.status)")
        assert media == 404
        refused = client.reload()
        assert refused.status == 404
        client.wait_for_selector("#share-unavailable")
        assert client.query_selector("#player-box") is None
    finally:
        context.close()
    log = (ROOT / ".portal" / "e2e-server.log").read_text()
    assert token not in log
