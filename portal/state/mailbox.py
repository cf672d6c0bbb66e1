"""Dev mailbox state: emails kept in the local outbox (only when Resend is not configured)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import OutboxEmail
from portal.services.core.locale import format_datetime
from portal.services.core.permissions import Action
from portal.settings import get_settings
from portal.state.session import SessionState, guard


@dataclass
class MailView:
    """One outbox email."""

    id: str
    recipient: str
    subject: str
    sent: str
    body: str


def recent_outbox(limit: int = 50) -> list[MailView]:
    """The newest emails in the local outbox."""
    with tenant_session(None) as session:
        rows = session.scalars(
            select(OutboxEmail).order_by(OutboxEmail.created_at.desc()).limit(limit)
        ).all()
    return [
        MailView(
            id=str(r.id),
            recipient=r.to_address,
            subject=r.subject,
            sent=format_datetime(r.created_at),
            body=r.text_body,
        )
        for r in rows
    ]


class MailboxState(SessionState):
    """Studio admins read the local outbox in development (it holds live sign-in links)."""

    emails: list[MailView] = []
    enabled: bool = False
    error: str = ""

    @rx.event
    @guard(roles=("admin",), action=Action.OPERATE, clear=("emails",))
    def load(self) -> None:
        settings = get_settings()
        self.enabled = not settings.resend_configured and settings.portal_env == "dev"
        self.emails = recent_outbox() if self.enabled else []
