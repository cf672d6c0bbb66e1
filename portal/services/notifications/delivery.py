"""Sending notification emails from jobs: one at a time or as a daily digest, exactly once.

Every send carries an idempotency key (`notification/<id>`, `digest/<user>/<day>`): Resend
drops a repeat of the same key, and the local outbox row is written in the same transaction
that marks the notification sent. A notification whose email is done (sent, skipped, failed) is
never sent again, so a retried job does nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.integrations import resend
from portal.integrations.resend import PermanentSendError as PermanentSendError
from portal.models import Notification, Tenant, User
from portal.services.core.branding import accent_from
from portal.services.core.errors import TemplateError
from portal.services.core.locale import viewer_zone
from portal.services.email import outbox as mail
from portal.services.email.outbox import Email
from portal.services.notifications import email_templates as render
from portal.services.notifications.fan_out import TYPES, mode_for
from portal.services.notifications.inbox import displayed
from portal.services.notifications.prefs import unsubscribe_token
from portal.settings import get_settings

log = logging.getLogger(__name__)


def deliver(session: Session, email: Email, *, key: str, unsubscribe_url: str) -> str:
    """Send through Resend (idempotency key) or into the outbox in this transaction."""
    if not get_settings().resend_configured:
        return f"outbox:{mail.store(session, email).id}"
    return resend.send(
        to=email.to,
        subject=email.subject,
        text=email.text,
        html=email.html,
        idempotency_key=key,
        headers=resend.unsubscribe_headers(unsubscribe_url),
    )


def brand_of(session: Session, tenant_id: UUID) -> render.Branding:
    """Whose email this is: the tenant's name and accent."""
    row = session.execute(
        select(Tenant.name, Tenant.branding).where(Tenant.id == tenant_id)
    ).first()
    name = (row.name if row else None) or "Motion Mavericks"
    accent = accent_from(row.branding if row else None)
    return render.Branding(name, accent, get_settings().portal_url)


def unsubscribe_url(tenant_id: UUID, user_id: UUID, type_: str) -> str:
    """The no-sign-in link that turns off one type's email."""
    token = unsubscribe_token(tenant_id=tenant_id, user_id=user_id, type_=type_)
    return get_settings().portal_url.rstrip("/") + routes.page_url(
        routes.API_UNSUBSCRIBE, token=token
    )


def _finish(n: Notification, status: str, note: str | None = None) -> str:
    n.email_status, n.email_note = status, (note or None) and note[:500]
    return status


def send_notification_email(*, notification_id: UUID, tenant_id: UUID) -> str:
    """Send one queued notification's email, or record why not; returns its email status."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        n = session.scalar(
            select(Notification).where(Notification.id == notification_id).with_for_update()
        )
        if n is None:
            return "deleted"  # purged or its user deleted: nothing to send
        if n.email_status != "queued":
            return n.email_status or "none"  # done already (a retried or duplicate job)
        user = session.get(User, n.user_id)
        if user is None or user.status != "active" or user.email_bounced_at is not None:
            return _finish(n, "skipped", "the address bounced or the user is not active")
        if n.type not in TYPES:
            return _finish(n, "failed", f"unknown notification type {n.type[:100]!r}")
        mode = mode_for(user.notification_prefs, n.type)
        if mode != "immediately":
            return _finish(n, "digest" if mode == "digest" else "skipped", f"email {mode}")
        brand = brand_of(session, tenant_id)
        stop = unsubscribe_url(tenant_id, user.id, n.type)
        try:
            shown = displayed(session=session, notifications=[n])[n.id]  # names, excerpt
            entry = render.item(n.type, shown, brand.base_url)
            email = render.single(
                to=user.email, entry=entry, brand=brand, unsubscribe_url=stop, tenant_id=tenant_id
            )
        except TemplateError as exc:
            return _finish(n, "failed", f"cannot render: {exc}")
        n.email_message_id = deliver(
            session, email, key=f"notification/{n.id}", unsubscribe_url=stop
        )
        return _finish(n, "sent")


def mark_failed(*, notification_id: UUID, tenant_id: UUID, note: str) -> None:
    """After the last attempt: the email failed; the notification itself stays in the bell."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        n = session.get(Notification, notification_id, with_for_update=True)
        if n is not None and n.email_status == "queued":
            _finish(n, "failed", note)


def digest_cutoff(now: datetime, tz_name: str | None = None) -> datetime:
    """The start of today in the portal's zone: a digest covers what came before it."""
    zone = viewer_zone(tz_name)
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)


def users_with_digest(*, session: Session, cutoff: datetime) -> list[UUID]:
    """Users of this tenant with digest notifications from before the cutoff."""
    return list(
        session.scalars(
            select(Notification.user_id)
            .where(Notification.email_status == "digest", Notification.created_at < cutoff)
            .distinct()
        )
    )
