"""Compliance page state (studio admins): residency reports, retention, backups, audit chain."""

from __future__ import annotations

import asyncio
from uuid import UUID

import reflex as rx

from portal.db import tenant_session
from portal.models import ResidencyEvidence
from portal.services.accounts.auth import SessionUser
from portal.services.compliance.audit_log import scoped_tenants
from portal.services.compliance.residency import (
    EvidenceRow,
    generate_for_all,
    list_evidence,
    verify_evidence,
)
from portal.services.compliance.status import (
    BackupStatus,
    RetentionRow,
    backup_status,
    chain_status,
    retention_rows,
)
from portal.services.core.errors import NotFound
from portal.services.core.permissions import Action, require
from portal.state.session import SessionState, guard

ROLES = ("admin",)
GENERATE_FAILED = "The reports could not be written. Please try again or check the data folder."
# What the panels show (emptied when they may not be shown) and the last verification.
SHOWN = ("evidence", "retention")
VERIFIED = ("verified_id", "verified_ok")


class ComplianceState(SessionState):
    """Everything the compliance page shows; every handler re-checks the session and OPERATE."""

    evidence: list[EvidenceRow] = []
    retention: list[RetentionRow] = []
    backup: BackupStatus = BackupStatus("", False, "")
    chain: str = ""
    # The report last verified and what verification found.
    verified_id: str = ""
    verified_ok: bool = False
    verified_message: str = ""
    generating: bool = False
    message: str = ""
    error: str = ""

    def _show(self, panels: Panels) -> None:
        self.evidence, self.retention, self.backup, self.chain = panels

    @rx.event
    @guard(roles=ROLES, action=Action.OPERATE, clear=SHOWN)
    def load(self) -> None:
        """on_load: check the operator and load every panel."""
        self._show(_panels(self._require_user()))

    @rx.event
    @guard(roles=ROLES, action=Action.OPERATE, message="verified_message", clear=VERIFIED)
    def verify(self, evidence_id: str) -> None:
        """Re-hash one report and show whether it was altered."""
        try:
            report = UUID(str(evidence_id))
        except ValueError as exc:
            raise NotFound() from exc
        with self._db() as session:
            check = verify_evidence(session=session, evidence_id=report)
        self.verified_id, self.verified_ok = str(evidence_id), check.intact
        self.verified_message = check.message

    @rx.event(background=True)
    @guard(roles=ROLES, action=Action.OPERATE, busy="generating")
    async def generate(self) -> None:
        """Generate a report now for every tenant this admin manages (off the event loop)."""
        async with self:
            self.message = ""
        try:
            rows = await asyncio.to_thread(_generate, self._require_user())
        except OSError:
            async with self:
                self.error = GENERATE_FAILED
            return
        # Whoever holds the tab now: it may have signed out or changed hands meanwhile.
        now = await asyncio.to_thread(self._require_user, ROLES, fresh=True)
        require(now, Action.OPERATE)
        panels = await asyncio.to_thread(_panels, now)
        async with self:
            self._show(panels)
            self.message = f"Generated {len(rows)} residency reports."


Panels = tuple[list[EvidenceRow], list[RetentionRow], BackupStatus, str]


def _panels(user: SessionUser) -> Panels:
    with tenant_session(user.context) as session:
        return (
            list_evidence(session=session),
            retention_rows(session=session),
            backup_status(session=session),
            chain_status(session=session),
        )


def _generate(user: SessionUser) -> list[ResidencyEvidence]:
    """One report for each tenant in the admin's scope."""
    with tenant_session(user.context) as session:
        tenant_ids = [UUID(t) for t, _ in scoped_tenants(session=session)]
    return generate_for_all(tenant_ids=tenant_ids)
