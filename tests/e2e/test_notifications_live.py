"""Two browsers: user A comments on a task, user B's bell count changes without a reload."""

from __future__ import annotations

from portal.db import tenant_session
from portal.routes import project_url
from portal.services.projects.milestones import create_milestone
from portal.services.projects.tasks import create_task
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio, make_user


def _count_is(page, n: int) -> None:
    page.wait_for_function(f"document.querySelector('#bell-count')?.innerText === '{n}'")


def test_comment_updates_the_other_users_bell_live(page, browser, app_url: str) -> None:
    s = make_studio()
    bea = make_user(tenant=s.agency, name="Bea Reviewer", email=f"bea.{s.agency.id.hex}@a.test")
    with tenant_session(s.admin_ctx) as session:
        milestone = create_milestone(session=session, project_id=s.project.id, title="Edit")
        create_task(session=session, milestone_id=milestone.id, title="Grade", assignee_id=bea.id)

    # B signs in: one unread (the assignment).
    open_login(page, app_url)
    sign_in(page, bea.email, PASSWORD)
    _count_is(page, 1)
    page.evaluate("window.__noReload = true")

    # A, in another browser context, comments on B's task.
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        a = other.new_page()
        a.set_default_timeout(20_000)
        open_login(a, app_url)
        sign_in(a, s.member.email, PASSWORD)
        a.wait_for_selector("#bell")
        a.goto(f"{app_url}{project_url(str(s.project.id))}")
        a.wait_for_load_state("networkidle")
        a.locator(".task-row", has_text="Grade").locator("button:text('Comments')").click()
        a.wait_for_selector("#comment-body")
        a.fill("#comment-body", "Colour pass looks great")
        a.click("#post-comment")
        a.wait_for_selector(".comment")  # posted (A's own comment shows in an edit box)
    finally:
        other.close()

    # B's bell follows without a reload; the panel lists the comment first.
    _count_is(page, 2)
    assert page.evaluate("window.__noReload") is True
    page.click("#bell")
    first = page.locator(".bell-item").first
    assert "commented on “Grade”" in first.inner_text()
    page.click("#bell-read-all")
    page.wait_for_selector("#bell-count", state="detached")
