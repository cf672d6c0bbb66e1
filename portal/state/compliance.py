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
from portal.services.core.errors import NotFound, PortalError
from portal.services.core.permissions import Action, require
from portal.state.session import SessionState

ROLES = ("admin",)
GENERATE_FAILED = "The reports could not be written. Please try again or check the data folder."


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

    def _operator(self) -> SessionUser:
        user = self._require_user(ROLES)
        require(user, Action.OPERATE)
        return user

    def _refresh(self, user: SessionUser) -> None:
        with tenant_session(user.context) as session:
            self.evidence = list_evidence(session=session)
            self.retention = retention_rows(session=session)
            self.backup = backup_status(session=session)
            self.chain = chain_status(session=session)

    def _refresh_current(self) -> bool:
        """Reload for whoever holds the tab now: it may have signed out or changed hands while
        a background handler worked for the previous session."""
        try:
            self._refresh(self._operator())
        except PortalError as exc:
            self.evidence, self.retention, self.error = [], [], exc.user_message
            return False
        return True

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: check the operator and load every panel."""
        try:
            self._refresh(self._operator())
        except PortalError as exc:
            self.evidence, self.retention, self.error = [], [], exc.user_message
            return self._failure(exc)
        self.error = ""
        return None

    @rx.event
    def verify(self, evidence_id: str) -> None:
        """Re-hash one report and show whether it was altered."""
        try:
            user = self._operator()
            with tenant_session(user.context) as session:
                check = verify_evidence(session=session, evidence_id=UUID(str(evidence_id)))
        except (PortalError, ValueError) as exc:
            message = exc.user_message if isinstance(exc, PortalError) else NotFound.user_message
            self.verified_id, self.verified_ok, self.verified_message = "", False, message
            return
        self.verified_id, self.verified_ok = str(evidence_id), check.intact
        self.verified_message = check.message

    @rx.event(background=True)
    async def generate(self):  # type: ignore[no-untyped-def]
        """Generate a report now for every tenant this admin manages (off the event loop)."""
        async with self:
            try:
                user = self._operator()
            except PortalError as exc:
                self.error = exc.user_message
                return
            self.generating, self.message, self.error = True, "", ""
        try:
            rows = await asyncio.to_thread(_generate, user)
        except (PortalError, OSError) as exc:
            message = exc.user_message if isinstance(exc, PortalError) else GENERATE_FAILED
            async with self:
                self.error = message
            return
        finally:
            async with self:
                self.generating = False
        async with self:
            if self._refresh_current():
                self.message = f"Generated {len(rows)} residency reports."


def _generate(user: SessionUser) -> list[ResidencyEvidence]:
    """One report for each tenant in the admin's scope."""
    with tenant_session(user.context) as session:
        tenant_ids = [UUID(t) for t, _ in scoped_tenants(session=session)]
    return generate_for_all(tenant_ids=tenant_ids)
