"""One mail service: Resend when RESEND_API_KEY is set, otherwise the local outbox table."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from portal.db import tenant_session
from portal.models import OutboxEmail
from portal.settings import get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """A rendered email: plain text and HTML bodies."""

    to: str
    subject: str
    text: str
    html: str
    tenant_id: UUID | None = None


def send(email: Email) -> str:
    """Send (or keep in the outbox); returns the provider's message id or the outbox id."""
    settings = get_settings()
    if settings.resend_configured:
        return _send_with_resend(email)
    with tenant_session(None) as session:
        row = OutboxEmail(
            tenant_id=email.tenant_id,
            to_address=email.to,
            subject=email.subject,
            text_body=email.text,
            html_body=email.html,
        )
        session.add(row)
        session.flush()
        return str(row.id)


def _send_with_resend(email: Email) -> str:
    import resend

    settings = get_settings()
    resend.api_key = settings.resend_api_key.get_secret_value() if settings.resend_api_key else ""
    resend.api_url = settings.resend_api_url.rstrip("/")
    response = resend.Emails.send(
        {
            "from": settings.resend_from,
            "to": [email.to],
            "subject": email.subject,
            "text": email.text,
            "html": email.html,
        }
    )
    message_id = str(response["id"])
    log.info("email sent via resend: %s", message_id)
    return message_id
