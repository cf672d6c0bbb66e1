"""Compliance page handlers: panels for studio admins, tamper flagged, others refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.db import tenant_session
from portal.models import JobRun, ResidencyEvidence
from portal.services.compliance import residency
from portal.services.compliance.status import backup_status, describe_backup
from portal.services.core.locale import format_datetime
from portal.settings import get_settings
from portal.state.compliance import GENERATE_FAILED, ComplianceState
from tests.aio import run
from tests.factories import make_graph, make_tenant, make_user
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")
URL = "http://localhost:3000/compliance"
# The background handler's own function (Reflex refuses a direct call of a background event).
GENERATE = ComplianceState.event_handlers["generate"].fn


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)


def test_studio_admin_sees_panels_and_an_altered_report_is_flagged() -> None:
    studio = make_tenant(type="admin")
    managed = make_graph(managed_by=studio)
    admin = make_user(tenant=studio, role="admin")
    row = residency.generate_evidence(tenant_id=managed.tenant.id)
    state = make_state(ComplianceState, cookie=signed_in_cookie(admin.email), url=URL)
    assert state.load() is None and state.error == ""
    assert [e.id for e in state.evidence] == [str(row.id)]
    assert [r.data for r in state.retention] == [
        "Share links",
        "Notifications",
        "Sign-in and invite links",
        "Signed-in sessions",
        "Sign-in attempts",
        "Local mail outbox",
        "Job ledger",
        "Webhook events",
        "API tokens",
        "API idempotency keys",
        "Upload request links",
        "Outbound webhook deliveries",
        "Audit log",
    ]
    assert state.retention[4].rule == "30 days after the attempt"
    assert state.retention[0].next_due != "" and state.retention[0].next_run != ""
    state.verify(str(row.id))
    assert state.verified_ok and state.verified_id == str(row.id)
    html = residency.evidence_path(row.tenant_id, row.id, "html")
    html.write_text(html.read_text().replace("AU", "US"))
    state.verify(str(row.id))
    assert not state.verified_ok and "ALTERED" in state.verified_message


def test_other_studios_reports_and_agency_admins_are_refused() -> None:
    theirs = residency.generate_evidence(tenant_id=make_graph().tenant.id)
    admin = make_user(tenant=make_tenant(type="admin"), role="admin")
    state = make_state(ComplianceState, cookie=signed_in_cookie(admin.email), url=URL)
    state.load()
    assert state.evidence == []
    state.verify(str(theirs.id))
    assert state.verified_id == "" and "not available" in state.verified_message
    state.verify("../../etc/passwd")
    assert state.verified_id == ""
    g = make_graph()
    agency_admin = make_user(tenant=g.tenant, role="admin")
    refused = make_state(ComplianceState, cookie=signed_in_cookie(agency_admin.email), url=URL)
    refused.load()
    assert "permission" in refused.error and refused.evidence == []


def test_backup_age_turns_stale_past_24_hours() -> None:
    taken = datetime.now(UTC) - timedelta(hours=2)
    with tenant_session(None) as session:
        session.add(
            JobRun(
                job_name="restore_drill",
                result="succeeded",
                meta={"backup_created_at": taken.isoformat(), "archive": "x.dump"},
            )
        )
    with tenant_session(None) as session:
        fresh = backup_status(session=session, now=taken + timedelta(hours=23))
        stale = backup_status(session=session, now=taken + timedelta(hours=25))
    assert not fresh.stale and fresh.age == "23.0 hours"
    assert stale.stale and "x.dump" in stale.details
    when = format_datetime(taken)
    assert fresh.summary == (
        f"Last verified backup: 23.0 hours old, taken {when} (within the 24-hour RPO)."
    )
    assert stale.summary == (
        f"Last verified backup: 25.0 hours old, taken {when}: older than the 24-hour RPO."
    )


def test_no_verified_backup_says_so_in_a_sentence() -> None:
    # Issue 20: the page read "no verified backup yet old (RPO 24 hours)".
    age, stale, sentence = describe_backup(None, datetime.now(UTC))
    assert stale and age == ""
    assert sentence.startswith("No verified backup yet: the daily backup drill (RPO 24 hours)")
    assert " old" not in sentence


def test_a_failed_generation_clears_the_busy_flag_and_says_why(tmp_path, monkeypatch) -> None:
    studio = make_tenant(type="admin")
    managed = make_graph(managed_by=studio)
    admin = make_user(tenant=studio, role="admin")
    # The data folder is a file: writing the first report fails with NotADirectoryError.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(get_settings(), "portal_data_dir", blocked)
    state = make_state(ComplianceState, cookie=signed_in_cookie(admin.email), url=URL)
    state.load()
    run(GENERATE(state))
    assert not state.generating and state.message == ""
    assert state.error == GENERATE_FAILED
    with tenant_session(None) as session:
        assert (
            session.exec(
                select(ResidencyEvidence).where(ResidencyEvidence.tenant_id == managed.tenant.id)
            ).all()
            == []
        )
    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)
    run(GENERATE(state))
    assert not state.generating and state.error == ""
    assert state.message == "Generated 2 residency reports."
