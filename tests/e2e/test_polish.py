"""What a person notices (issue 20 items 7 and 10, and the polish a studio would show a client),
in the browser: long titles stay on one line in lists with the whole text in the tooltip; one
date format and zone on every page; the sign-in page keeps the email after a wrong password;
the dev mailbox is off the navigation; the compliance sentence reads right; the client page of
a dead link has a logo; the asset page reviews first; leaving a running upload asks first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from portal import routes
from portal.db import tenant_session
from portal.models import Asset, JobRun
from portal.services.core.locale import format_datetime, format_short_date, today
from portal.services.projects.projects import create_project
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, Studio, make_studio
from tests.share_support import ready_asset, write_media

DESKTOP = {"width": 1440, "height": 900}
# A real title at the 200-character limit (words, so it could wrap if nothing cut it).
LONG_TITLE = ("Spring Savings Campaign hero film, director's cut with the revised grade " * 3)[
    :200
].strip()
# 6:55 pm UTC on 3 Dec is 5:55 am on 4 Dec in Sydney (the portal's zone).
SIGNED_IN_AT = datetime(2026, 12, 3, 18, 55, tzinfo=UTC)


@pytest.fixture()
def desk(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _signed_in(page, app_url: str, email: str) -> None:
    open_login(page, app_url)
    sign_in(page, email, PASSWORD)
    page.wait_for_url(f"{app_url}/")


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_long_title_is_cut_in_the_list_and_whole_in_its_tooltip(desk, app_url: str) -> None:
    s = make_studio()
    with tenant_session(s.admin_ctx) as session:
        project = create_project(
            session=session, tenant_id=s.agency.id, title=LONG_TITLE, client_name="Harbour & Co"
        )
    _signed_in(desk, app_url, s.admin.email)
    desk.goto(app_url + routes.PROJECTS)
    # The filters say what they filter.
    expect(desk.get_by_label("Status")).to_have_value("current")
    expect(desk.get_by_label("Sort by")).to_have_value("newest")
    row = desk.locator(".project-row", has=desk.get_by_title(LONG_TITLE, exact=True))
    title = row.locator(".project-title")
    expect(title).to_have_attribute("title", LONG_TITLE)
    # Cut with an ellipsis on one line: the rest of the row stays on the screen.
    assert title.evaluate("el => el.scrollWidth > el.clientWidth")
    assert title.bounding_box()["height"] < 30
    client = row.locator("td").nth(1)
    expect(client).to_have_text("Harbour & Co")
    assert client.bounding_box()["x"] + client.bounding_box()["width"] <= DESKTOP["width"]
    _no_sideways_scroll(desk)

    # The project's page is headed by its whole title, not "Project".
    title.click()
    desk.wait_for_url(f"**{routes.project_url(str(project.id))}")
    expect(desk.locator("#page-heading")).to_have_text(LONG_TITLE)
    _no_sideways_scroll(desk)

    # A search that matches nothing says why the list is empty and what to do.
    desk.goto(app_url + routes.PROJECTS)
    desk.fill("#project-search", "no such project anywhere")
    desk.locator("#project-search").blur()
    expect(desk.locator("#no-projects")).to_contain_text("Clear the search")


def test_account_and_admin_users_show_the_same_sign_in_time(
    desk, app_url: str, superuser_conn
) -> None:
    s = make_studio()
    _signed_in(desk, app_url, s.admin.email)
    superuser_conn.execute(
        "UPDATE users SET last_login_at = %s WHERE id = %s", (SIGNED_IN_AT, s.admin.id)
    )
    superuser_conn.execute(
        "UPDATE user_sessions SET created_at = %s WHERE user_id = %s", (SIGNED_IN_AT, s.admin.id)
    )
    shown = format_datetime(SIGNED_IN_AT)
    assert shown == "4 Dec 2026, 5:55 am"

    desk.goto(app_url + routes.ACCOUNT)
    session_row = desk.locator(".session-row", has_text="This browser")
    expect(session_row.locator("td").nth(1)).to_have_text(shown)

    desk.goto(app_url + routes.ADMIN_USERS)
    user_row = desk.locator(".user-row", has_text=s.admin.email)
    expect(user_row.locator("td").nth(4)).to_have_text(shown)


def test_operations_and_audit_use_the_same_dates(desk, app_url: str) -> None:
    s = make_studio()
    with tenant_session(None) as session:
        session.add(
            JobRun(
                job_name="residency_evidence",
                result="succeeded",
                started_at=SIGNED_IN_AT,
                completed_at=SIGNED_IN_AT + timedelta(seconds=3),
                meta={"tenants": 1},
            )
        )
    _signed_in(desk, app_url, s.admin.email)
    desk.goto(app_url + routes.OPERATIONS)
    desk.get_by_label("Job").select_option("residency_evidence")
    run = desk.locator("#job-runs tr", has_text="4 Dec 2026, 5:55 am")
    expect(run).to_contain_text("residency_evidence")
    expect(desk.locator("#job-runs")).not_to_contain_text("2026-12-03")

    # The audit log's date fields are day/month/year, typed or shown.
    desk.goto(app_url + routes.AUDIT)
    expect(desk.get_by_label("To", exact=True)).to_have_value(format_short_date(today()))
    expect(desk.get_by_label("From", exact=True)).to_have_attribute("placeholder", "dd/mm/yyyy")
    desk.get_by_label("From", exact=True).fill(format_short_date(today() - timedelta(days=3)))
    desk.click("#audit-apply")
    expect(desk.locator(".audit-row, #audit-empty").first).to_be_visible()
    expect(desk.locator("#audit-error")).to_have_count(0)
    # The export link carries the dates as a link should: ISO.
    start = (today() - timedelta(days=3)).isoformat()
    expect(desk.locator("#audit-export")).to_have_attribute(
        "href", re.compile(f"from={start}&to={today().isoformat()}")
    )


def test_a_wrong_password_keeps_the_email_and_the_tab_has_an_icon(page, app_url: str) -> None:
    s = make_studio()
    open_login(page, app_url)
    sign_in(page, s.member.email, "not the password")
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("#email")).to_have_value(s.member.email)
    expect(page.locator("#password")).to_be_focused()
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{app_url}/")

    icon = page.locator("head link[rel=icon]")
    expect(icon).to_have_attribute("href", "/favicon.svg")
    fetched = page.request.get(app_url + "/favicon.svg")
    assert fetched.ok and "svg" in fetched.headers["content-type"]


def test_the_dev_mailbox_is_not_in_the_navigation(desk, app_url: str) -> None:
    s = make_studio()
    _signed_in(desk, app_url, s.admin.email)
    nav = desk.locator("#app-nav")
    expect(nav.get_by_role("link", name="Operations")).to_be_visible()
    expect(nav.get_by_role("link", name="Mailbox")).to_have_count(0)
    nav.get_by_role("link", name="Operations").click()
    desk.get_by_role("link", name="dev mailbox").click()
    desk.wait_for_url(f"**{routes.MAILBOX}")
    expect(desk.locator("#page-heading")).to_have_text("Dev mailbox")


def test_the_compliance_page_says_how_old_the_last_backup_is(desk, app_url: str) -> None:
    s = make_studio()
    taken = datetime.now(UTC) - timedelta(hours=2)
    with tenant_session(None) as session:
        session.add(
            JobRun(
                job_name="restore_drill",
                result="succeeded",
                meta={"backup_created_at": taken.isoformat(), "archive": "portal.dump"},
            )
        )
    _signed_in(desk, app_url, s.admin.email)
    desk.goto(app_url + routes.COMPLIANCE)
    expect(desk.locator("#backup-summary")).to_have_text(
        f"Last verified backup: 2.0 hours old, taken {format_datetime(taken)}"
        " (within the 24-hour RPO)."
    )


def test_a_dead_share_link_shows_the_portal_logo(page, app_url: str) -> None:
    page.goto(app_url + routes.SHARE + "/no-such-link")
    expect(page.locator("#share-unavailable")).to_be_visible()
    logo = page.locator("#share-logo")
    expect(logo).to_have_attribute("src", "/logo.svg")
    page.wait_for_function(
        "document.getElementById('share-logo')?.complete"
        " && document.getElementById('share-logo').naturalWidth > 0"
    )
    expect(page.locator("#share-brand")).to_have_text("Motion Mavericks")


def _deliverables(s: Studio) -> Asset:
    """A ready version with its media, and another deliverable still uploading."""
    ready = ready_asset(s, title="Hero film")
    write_media(ready)
    with tenant_session(s.admin_ctx) as session:
        session.add(
            Asset(
                tenant_id=s.agency.id,
                project_id=s.project.id,
                uploader_id=s.admin.id,
                title="Teaser",
                version=ready.version + 1,
                status="uploading",
            )
        )
    return ready


def test_the_asset_page_reviews_first(desk, app_url: str) -> None:
    s = make_studio()
    ready = _deliverables(s)
    _signed_in(desk, app_url, s.member.email)

    # Ready and Uploading do not look alike.
    desk.goto(app_url + routes.project_url(str(s.project.id)))
    done = desk.locator(".deliverable-row", has_text="Hero film").locator(".deliverable-status")
    busy = desk.locator(".deliverable-row", has_text="Teaser").locator(".deliverable-status")
    expect(done).to_have_text("Ready")
    expect(busy).to_have_text("Uploading")
    assert done.get_attribute("data-accent-color") != busy.get_attribute("data-accent-color")

    desk.locator(".deliverable-link", has_text="Hero film").click()
    desk.wait_for_url("**/asset?id=*")
    expect(desk.locator("#page-heading")).to_have_text(f"Hero film v{ready.version}")
    expect(desk.locator("#asset-status")).to_have_text("Ready")

    # The comment box is under the player; the comments are beside it.
    player = desk.locator("#player-box").bounding_box()
    box = desk.locator("#asset-comment-body").bounding_box()
    comments = desk.locator("#comments").bounding_box()
    assert box["y"] >= player["y"] + player["height"]
    assert box["x"] < player["x"] + player["width"]
    assert comments["x"] >= player["x"] + player["width"]
    expect(desk.locator("#no-comments")).to_contain_text("No comments yet")

    # Sharing waits behind its button.
    expect(desk.locator("#share-create")).to_have_count(0)
    desk.get_by_role("button", name="Share this version").click()
    expect(desk.locator("#share-create")).to_be_visible()
    desk.get_by_role("button", name="Hide sharing").click()
    expect(desk.locator("#share-create")).to_have_count(0)


def test_leaving_a_running_upload_asks_first(desk, app_url: str, tmp_path, clips) -> None:
    s = make_studio()
    big = tmp_path / "rushes.mp4"  # a real clip's head: the server sniffs the first bytes
    head = clips["with_audio.mp4"].read_bytes()
    big.write_bytes(head + b"\0" * (4 * 1024 * 1024 - len(head)))
    _signed_in(desk, app_url, s.admin.email)
    desk.goto(app_url + routes.project_url(str(s.project.id)))
    desk.wait_for_selector("#upload-button")
    desk.wait_for_load_state("networkidle")
    # A slow line, so the upload is still running while the person tries to leave.
    network = desk.context.new_cdp_session(desk)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 16_384},
    )
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    desk.on("dialog", answer)
    desk.fill("#upload-title", "Rushes")
    desk.set_input_files("#asset-upload input[type=file]", str(big))
    desk.click("#upload-button")
    guard = desk.locator("#upload-guard")
    expect(guard).to_have_attribute("data-upload-running", "true")

    # A link in the portal asks; "Cancel" stays on the page with the upload going.
    desk.locator("#app-nav").get_by_role("link", name="Projects").click()
    assert asked == ["confirm"]
    assert f"/project/?id={s.project.id}" in desk.url
    expect(guard).to_have_attribute("data-upload-running", "true")

    # Closing the tab or reloading asks the browser's "Leave site?" question.
    with desk.expect_event("dialog") as leaving:
        desk.close(run_before_unload=True)
    assert leaving.value.type == "beforeunload" and asked[-1] == "beforeunload"
    assert not desk.is_closed()
    expect(guard).to_have_attribute("data-upload-running", "true")

    # Once the upload is over (the line is fast again), the page can be left without a question.
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    desk.wait_for_function("!document.querySelector('[data-upload-running=\"true\"]')")
    desk.locator("#app-nav").get_by_role("link", name="Projects").click()
    desk.wait_for_url(f"**{routes.PROJECTS}")
    assert asked == ["confirm", "beforeunload"]
