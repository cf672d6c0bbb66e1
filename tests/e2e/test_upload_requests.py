"""Upload requests in a browser: a member creates a request on the project page (1440x900), a
client in a fresh context opens /r/<token> on a phone (390x844), gives a name and email and
sends a small image over tus; the member sees it under Client files."""

from __future__ import annotations

from portal import routes
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def test_a_client_sends_a_file_the_member_sees(browser, app_url: str) -> None:
    s = make_studio()
    member_context = browser.new_context(viewport={"width": 1440, "height": 900})
    client_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = member_context.new_page()
        page.set_default_timeout(60_000)
        open_login(page, app_url)
        sign_in(page, s.member.email, PASSWORD)
        page.wait_for_url(f"{app_url}/")
        page.goto(app_url + routes.project_url(str(s.project.id)))
        page.wait_for_selector("#client-files-empty")
        page.wait_for_load_state("networkidle")
        page.click("#request-new")
        page.fill("#request-name", "Logos please")
        page.fill("#request-message", "Send us your logos and brand guide.")
        page.click("#request-create")
        page.wait_for_selector("#request-new-url")
        url = page.inner_text("#request-new-url").strip()
        assert "/r/" in url
        page.wait_for_selector(".request-row:has-text('Logos please')")

        client = client_context.new_page()
        client.set_default_timeout(60_000)
        violations: list[str] = []
        client.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        assert client.goto(url).status == 200
        client.wait_for_selector("#request-title:has-text('Logos please')")
        assert "Send us your logos" in client.inner_text("#request-message-text")
        client.wait_for_load_state("networkidle")
        client.fill("#request-sender-name", "Cleo Client")
        client.fill("#request-sender-email", "cleo@client.test")
        client.click("#request-continue")
        client.wait_for_selector("#request-files")
        client.set_input_files(
            "#request-files", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": PNG}]
        )
        client.click("#request-send")
        client.wait_for_selector(".request-done:has-text('logo.png')")
        width = client.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the client page is {width}px wide at 390"

        # A disguised file is refused with a clear message.
        client.set_input_files(
            "#request-files",
            files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"MZ" + bytes(600)}],
        )
        client.click("#request-send")
        client.wait_for_selector(".request-failed:has-text('not a kind this link accepts')")

        assert violations == []

        page.click("#client-files-refresh")
        page.wait_for_selector(".client-file:has-text('logo.png')")
        row = page.inner_text(".client-file")
        assert "Cleo Client" in row and "cleo@client.test" in row
    finally:
        client_context.close()
        member_context.close()
