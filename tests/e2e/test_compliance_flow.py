"""A studio admin filters the audit log, opens a diff, exports CSV, and verifies a residency
report in the browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import update

from portal.db import tenant_session
from portal.models import Project
from portal.services.compliance import residency
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, ctx, make_studio


def test_audit_filter_diff_export_and_evidence_verification(page, app_url: str) -> None:
    s = make_studio()
    with tenant_session(ctx(s.studio, s.admin, admin_scope=True)) as session:
        session.execute(
            update(Project).where(Project.id == s.project.id).values(title="Renamed in browser")
        )
    evidence = residency.generate_evidence(tenant_id=s.agency.id)

    open_login(page, app_url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_selector("a[href='/audit']")
    page.click("a[href='/audit']")
    page.wait_for_selector("#audit-log")
    page.select_option("#field-entity_type", "projects")
    page.select_option("#field-action", "update")
    page.fill("#audit-entity_id", str(s.project.id))
    page.click("#audit-apply")
    expect(page.locator(".audit-row")).to_have_count(1)
    row = page.locator(".audit-row", has_text="Renamed in browser")
    row.get_by_role("button", name="Diff").click()
    diff = page.locator(".audit-diff")
    diff.wait_for()
    assert s.project.title in diff.inner_text() and "Renamed in browser" in diff.inner_text()

    href = page.get_attribute("#audit-export", "href")
    csv = page.request.get(f"{app_url}{href}")
    assert csv.status == 200 and str(s.project.id) in csv.text()
    assert "Renamed in browser" in csv.text()

    page.click("a[href='/compliance']")
    page.wait_for_selector("#evidence")
    page.locator("#evidence tr", has_text=evidence.checksum[:16]).get_by_role(
        "button", name="Verify"
    ).click()
    expect(page.locator(".verify-result")).to_have_text("intact")
