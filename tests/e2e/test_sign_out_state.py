"""Sign-out in the browser: the next user of the same tab receives nothing the previous one
loaded (the admin's dev mailbox holds live sign-in links)."""

from __future__ import annotations

from portal.db import tenant_session
from portal.models import OutboxEmail
from tests.e2e.test_accounts import watch_socket
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_graph, make_tenant, make_user, unique


def test_producer_in_the_admins_tab_never_receives_the_admins_mailbox(browser, app_url) -> None:
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    producer = make_graph(managed_by=studio)
    subject = unique("Admin-only sign-in link")
    recipient = f"{subject.split()[-1]}.mailbox-only@example.test"
    with tenant_session(None) as session:
        session.add(
            OutboxEmail(to_address=recipient, subject=subject, text_body="live link", html_body="")
        )
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        open_login(page, app_url)
        sign_in(page, admin.email, PASSWORD)
        page.wait_for_selector("#sign-out")
        page.goto(f"{app_url}/dev/mailbox")
        page.wait_for_selector(f".mail:has-text('{subject}')")
        token = page.evaluate("window.sessionStorage.getItem('token')")
        page.click("#sign-out")
        page.wait_for_selector("#login-notice")

        frames = watch_socket(page)
        open_login(page, app_url)
        sign_in(page, producer.user.email, PASSWORD)
        page.wait_for_selector(".project-row")
        page.goto(f"{app_url}/dev/mailbox")
        page.wait_for_url(f"{app_url}/")
        page.wait_for_selector(".project-row")
        page.wait_for_load_state("networkidle")

        # The same tab: Reflex kept the client token across the sign-out and sign-in.
        assert page.evaluate("window.sessionStorage.getItem('token')") == token
        received = "\n".join(frames)
        assert producer.project.title in received
        assert subject not in received and recipient not in received
        assert admin.email not in received
        assert subject not in page.inner_text("body")
    finally:
        context.close()
