"""A studio admin builds a project in the browser and sees the timeline and dashboard follow."""

from __future__ import annotations

from datetime import timedelta

from portal.services.core.locale import today
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio


def _dialog_save(page, button: str, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.fill(f"#field-{name}", value)
    page.click(f"#{button}")
    page.wait_for_selector(f"#{button}", state="detached")


def test_project_with_milestones_and_tasks(page, app_url: str) -> None:
    s = make_studio()
    open_login(page, app_url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_selector("#stat-active")
    active_before = int(page.inner_text("#stat-active .stat-value"))
    # A marker that a full page load would wipe: everything below happens without reloading.
    page.evaluate("window.__noReload = true")

    # Create the project through the list's dialog (client-side navigation from here on).
    page.click("a[href='/projects']")
    page.click("#new-project")
    page.select_option("#field-tenant_id", str(s.agency.id))
    _dialog_save(
        page,
        "save-project",
        {
            "title": "Browser launch",
            "client_name": "Acme",
            "start_date": (today() - timedelta(days=10)).isoformat(),
            "end_date": (today() + timedelta(days=60)).isoformat(),
        },
    )
    page.click("#project-list a:text('Browser launch')")
    page.wait_for_selector("#no-milestones")

    for title, days in (("Shoot", 5), ("Edit", 20)):
        page.click("#add-milestone")
        _dialog_save(
            page,
            "save-milestone",
            {"title": title, "due_date": (today() + timedelta(days)).isoformat()},
        )
    page.wait_for_selector(".timeline-row >> nth=1")
    for title in ("Storyboard", "Location scout", "Call sheet"):
        page.click(".add-task >> nth=0")
        _dialog_save(page, "save-task", {"title": title})
    page.wait_for_selector(".task-row >> nth=2")
    assert page.inner_text(".milestone-progress >> nth=0") == "0/3"

    # Complete one task through the workflow; the timeline's progress follows.
    row = page.locator(".task-row", has_text="Storyboard")
    for step in ("in_progress", "in_review", "completed"):
        row.locator(f".move-{step}").click()
        page.wait_for_selector(f".task-row[data-status='{step}']")
    page.wait_for_function("document.querySelector('.milestone-progress').innerText === '1/3'")

    # The dashboard counts include the new project and its open tasks, without a reload.
    page.click("a[href='/']")
    page.wait_for_function(
        f"document.querySelector('#stat-active .stat-value')?.innerText === '{active_before + 1}'"
    )
    recent = page.locator(".project-row", has_text="Browser launch")
    assert recent.locator("td >> nth=5").inner_text() == "2"
    assert page.evaluate("window.__noReload") is True
