"""Residency evidence: report content, stored files, checksum verification, tamper detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from portal.db import tenant_session
from portal.services.compliance import residency
from portal.services.compliance.residency_facts import RESEND_NOTE, host_location
from portal.services.core.errors import NotFound
from portal.settings import get_settings
from tests.factories import ctx, make_graph, make_tenant

pytestmark = pytest.mark.usefixtures("database", "data_dir")


def files_of(row) -> tuple[Path, Path]:
    return tuple(residency.evidence_path(row.tenant_id, row.id, k) for k in residency.KINDS)


def check(tenant, row) -> residency.EvidenceCheck:
    with tenant_session(ctx(tenant)) as session:
        return residency.verify_evidence(session=session, evidence_id=row.id)


def test_report_states_locations_counts_and_checksums() -> None:
    g = make_graph()
    row = residency.generate_evidence(tenant_id=g.tenant.id)
    html_path, json_path = files_of(row)
    report = json.loads(json_path.read_text())
    assert report["tenant"] == {"id": str(g.tenant.id), "name": g.tenant.name, "policy": "AU"}
    assert report["database"]["server_version"] and "password" not in json_path.read_text()
    assert report["database"]["provider"] == "self-hosted"
    counts = report["record_counts"]
    assert counts["projects"] == counts["tasks"] == counts["share_links"] == 1
    assert counts["audit_logs"] == 4 and counts["residency_evidence"] == 0
    assert {c["data"] for c in report["checks"]} == {"database", "media", "email metadata"}
    assert row.checksum == residency.sha256_hex(html_path.read_bytes())
    assert residency.sha256_hex(json_path.read_bytes()) in html_path.read_text()
    assert row.report_url == f"/api/evidence/{row.id}.html"
    assert check(g.tenant, row).intact


def test_resend_is_reported_as_keeping_metadata_in_the_us(monkeypatch) -> None:
    monkeypatch.setattr(get_settings(), "resend_api_key", SecretStr("re_test_not_real"))
    g = make_graph()
    row = residency.generate_evidence(tenant_id=g.tenant.id)
    report = json.loads(files_of(row)[1].read_text())
    assert report["email"]["metadata_region"] == "United States"
    assert report["email"]["note"] == RESEND_NOTE
    assert {"data": "email metadata", "meets_policy": "no"}.items() <= next(
        c for c in report["checks"] if c["data"] == "email metadata"
    ).items()
    assert "re_test_not_real" not in files_of(row)[0].read_text()


def test_neon_hosts_name_their_region() -> None:
    where = host_location("ep-cool-darkness-123456-pooler.ap-southeast-2.aws.neon.tech")
    assert where["provider"] == "Neon (AWS)" and where["country"] == "AU"
    assert "Sydney" in where["region"]
    assert host_location("db.example.com")["country"] == "unknown"


@pytest.mark.parametrize("kind", ["html", "json"])
def test_an_altered_or_missing_file_is_flagged(kind: str) -> None:
    g = make_graph()
    row = residency.generate_evidence(tenant_id=g.tenant.id)
    path = files_of(row)[0 if kind == "html" else 1]
    path.write_bytes(path.read_bytes().replace(b"self-hosted", b"Neon (AWS)"))
    result = check(g.tenant, row)
    assert not result.intact and "ALTERED" in result.message and kind.upper() in result.message
    path.unlink()
    assert "missing" in check(g.tenant, row).message


def test_names_are_escaped_and_other_tenants_reports_are_out_of_scope() -> None:
    tenant = make_tenant(name="<script>alert(1)</script> Ltd")
    row = residency.generate_evidence(tenant_id=tenant.id)
    html = files_of(row)[0].read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    other = make_graph()
    with pytest.raises(NotFound):
        check(other.tenant, row)
