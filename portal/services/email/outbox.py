"""Account emails (sign-in link, reset, invitation) go out through a job, never in a request.

`queue()` writes the message to `mail_outbox` in the caller's transaction, so the email exists
exactly when what it announces does (an invited user and their email commit together). With
Resend it also defers the send job in that transaction; the job sends the row (idempotency key
`mail/<outbox id>`) and deletes it in one transaction, so a retry after a lost answer is a no-op
at Resend. Without Resend (MAIL_BACKEND=outbox, or development) the row is the delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import delete
from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.integrations import resend
from portal.integrations.job_queue import defer_job
from portal.models import OutboxEmail
from portal.settings import get_settings

MAIL_QUEUE = "mail"
SEND_MAIL_TASK = "send_mail"


@dataclass(frozen=True)
class Email:
    """A rendered email: plain text and HTML bodies."""

    to: str
    subject: str
    text: str
    html: str
    tenant_id: UUID | None = None


def store(session: Session, email: Email) -> OutboxEmail:
    """Keep an email in the outbox table in this transaction."""
    row = OutboxEmail(
        tenant_id=email.tenant_id,
        to_address=email.to,
        subject=email.subject,
        text_body=email.text,
        html_body=email.html,
    )
    session.add(row)
    session.flush()
    return row


def queue(session: Session, email: Email) -> UUID:
    """Queue an email in the caller's transaction; returns its outbox id."""
    row = store(session, email)
    if get_settings().resend_configured:
        args = {"outbox_id": str(row.id), "tenant_id": str(email.tenant_id or "")}
        defer_job(session, task=SEND_MAIL_TASK, queue=MAIL_QUEUE, args=args)
    return row.id


def send_queued(*, outbox_id: UUID, tenant_id: UUID | None) -> str:
    """Send one queued email and drop it from the outbox; "gone" when it was sent already."""
    if not get_settings().resend_configured:
        return "kept"  # the backend became the outbox after queueing: the row is the delivery
    ctx = TenantContext(tenant_id=tenant_id) if tenant_id else None
    with tenant_session(ctx) as session:
        row = session.execute(
            delete(OutboxEmail).where(OutboxEmail.id == outbox_id).returning(OutboxEmail)
        ).scalar_one_or_none()
        if row is None:
            return "gone"
        # The row is deleted only if the send succeeds (an error rolls the delete back).
        return resend.send(
            to=row.to_address,
            subject=row.subject,
            text=row.text_body,
            html=row.html_body,
            idempotency_key=f"mail/{outbox_id}",
        )


def discard(*, outbox_id: UUID, tenant_id: UUID | None) -> None:
    """Drop a queued email that will never be sent (refused for good): its link stays unused."""
    ctx = TenantContext(tenant_id=tenant_id) if tenant_id else None
    with tenant_session(ctx) as session:
        session.execute(delete(OutboxEmail).where(OutboxEmail.id == outbox_id))
