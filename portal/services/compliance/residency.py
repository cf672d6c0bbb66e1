"""Residency evidence: per-tenant reports (HTML to print, JSON to process) with checksums.

`residency_evidence.checksum` is the SHA-256 of the HTML report, and the HTML prints (and
carries in a meta tag) the SHA-256 of the JSON file, so altering either file is detected.
Files live under `<data dir>/evidence/<tenant id>/<evidence id>.{html,json}`; their path is
derived from the row's ids, never from user input.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlmodel import Session, select

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.models import ResidencyEvidence, Tenant
from portal.models._base import new_id
from portal.services.compliance import residency_facts as facts
from portal.services.compliance.residency_report import JSON_META, render_html
from portal.services.compliance.view_types import EvidenceRow
from portal.services.core.errors import NotFound
from portal.services.core.locale import format_datetime
from portal.settings import get_settings

KINDS = ("html", "json")
EMBEDDED_SHA = re.compile(rf'<meta name="{JSON_META}" content="([0-9a-f]{{64}})">')


@dataclass(frozen=True)
class EvidenceCheck:
    """The result of re-hashing a stored report."""

    intact: bool
    message: str


def evidence_path(tenant_id: UUID, evidence_id: UUID, kind: str) -> Path:
    """Where a report file lives (kind is html or json)."""
    if kind not in KINDS:
        raise NotFound()
    root = get_settings().portal_data_dir / "evidence"
    return root / str(tenant_id) / f"{evidence_id}.{kind}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def build_report(*, session: Session, tenant: Tenant) -> dict[str, Any]:
    """The report's content for one tenant (the session must be in that tenant's context)."""
    database = facts.database_facts(session)
    report: dict[str, Any] = {
        "format": "portal-residency/1",
        "tenant": {"id": str(tenant.id), "name": tenant.name, "policy": tenant.residency_policy},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "media": facts.media_facts(),
        "email": facts.email_facts(database),
        "backups": facts.backup_facts(database),
        "record_counts": facts.record_counts(session, tenant.id),
    }
    report["checks"] = facts.residency_checks(tenant.residency_policy, report)
    return report


def generate_evidence(*, tenant_id: UUID) -> ResidencyEvidence:
    """Write one tenant's HTML and JSON report and record them; no row without both files."""
    evidence_id = new_id()
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound()
        report = build_report(session=session, tenant=tenant)
        data = json.dumps(report, indent=2, sort_keys=True).encode()
        html = render_html(report, sha256_hex(data)).encode()
        paths = [evidence_path(tenant_id, evidence_id, k) for k in KINDS]
        try:
            _write(paths[1], data)
            _write(paths[0], html)
            row = ResidencyEvidence(
                id=evidence_id,
                tenant_id=tenant_id,
                generated_at=datetime.fromisoformat(report["generated_at"]),
                report_url=routes.evidence_url(str(evidence_id)),
                checksum=sha256_hex(html),
            )
            session.add(row)
            session.flush()
        except BaseException:
            for path in paths:
                path.unlink(missing_ok=True)
            raise
    return row


def generate_for_all(*, tenant_ids: list[UUID] | None = None) -> list[ResidencyEvidence]:
    """A report for each active tenant (or each of `tenant_ids`)."""
    if tenant_ids is None:
        with tenant_session(None) as session:
            query = select(Tenant.id).where(Tenant.status == "active").order_by(Tenant.id)
            tenant_ids = list(session.exec(query))
    return [generate_evidence(tenant_id=t) for t in tenant_ids]


def _in_scope(session: Session, evidence_id: UUID) -> ResidencyEvidence:
    """The evidence row, if its tenant is in the session's scope (the table has no RLS)."""
    row = session.exec(
        select(ResidencyEvidence).where(
            ResidencyEvidence.id == evidence_id,
            ResidencyEvidence.tenant_id == func.any_(func.app_tenant_scope()),
        )
    ).first()
    if row is None:
        raise NotFound("That report does not exist or is not available to you.")
    return row


def list_evidence(*, session: Session, limit: int = 100) -> list[EvidenceRow]:
    """The latest reports of the tenants in the session's scope."""
    rows = session.execute(
        select(ResidencyEvidence, Tenant.name)
        .join(Tenant, Tenant.id == ResidencyEvidence.tenant_id)
        .where(ResidencyEvidence.tenant_id == func.any_(func.app_tenant_scope()))
        .order_by(ResidencyEvidence.generated_at.desc())
        .limit(limit)
    ).all()
    return [
        EvidenceRow(
            id=str(e.id),
            tenant=name,
            generated_at=format_datetime(e.generated_at),
            checksum=e.checksum,
            url=routes.evidence_url(str(e.id)),
            json_url=routes.evidence_url(str(e.id), "json"),
        )
        for e, name in rows
    ]


def read_evidence(*, session: Session, evidence_id: UUID, kind: str) -> bytes:
    """A stored report file, if in scope and present."""
    row = _in_scope(session, evidence_id)
    path = evidence_path(row.tenant_id, row.id, kind)
    if not path.is_file():
        raise NotFound("That report's file is missing.")
    return path.read_bytes()


def verify_evidence(*, session: Session, evidence_id: UUID) -> EvidenceCheck:
    """Re-hash a report: the HTML against the database, the JSON against the HTML."""
    row = _in_scope(session, evidence_id)
    html_path, json_path = (evidence_path(row.tenant_id, row.id, k) for k in KINDS)
    if not html_path.is_file() or not json_path.is_file():
        return EvidenceCheck(False, "A report file is missing.")
    html = html_path.read_bytes()
    if sha256_hex(html) != row.checksum:
        return EvidenceCheck(False, "ALTERED: the HTML report does not match its checksum.")
    embedded = EMBEDDED_SHA.search(html.decode(errors="replace"))
    if embedded is None or embedded.group(1) != sha256_hex(json_path.read_bytes()):
        return EvidenceCheck(False, "ALTERED: the JSON report does not match its checksum.")
    return EvidenceCheck(True, f"Intact: SHA-256 {row.checksum} matches.")
