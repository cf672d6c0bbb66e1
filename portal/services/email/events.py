"""Resend email events: a notification's delivery moves forward; hard bounces mark the address."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from portal.db import TenantContext, enter_tenant
from portal.models import Notification, User
from portal.services.core.errors import MalformedEvent, TargetNotFound
from portal.services.core.outcomes import EventOutcome

EMAIL_STATUS_RANK = {"sent": 1, "delivered": 2, "bounced": 3, "complained": 3}
RESEND_EVENT_STATUS = {
    "email.sent": "sent",
    "email.delivered": "delivered",
    "email.bounced": "bounced",
    "email.complained": "complained",
}


def _event_time(payload: dict[str, Any]) -> datetime:
    raw = payload.get("created_at")
    try:
        parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def apply_email_status(
    *, session: Session, notification: Notification, status: str, at: datetime
) -> None:
    """Record Resend's report on a notification's email (forward only) and mark bounces."""
    current = EMAIL_STATUS_RANK.get(notification.email_status or "", 0)
    if EMAIL_STATUS_RANK[status] > current:
        notification.email_status = status
    if status == "delivered" and notification.delivered_at is None:
        notification.delivered_at = at
    session.add(notification)
    if status == "bounced":
        user = session.exec(select(User).where(User.id == notification.user_id)).one()
        if user.email_bounced_at is None:
            user.email_bounced_at = at
            session.add(user)
    session.flush()


def handle_resend_event(*, session: Session, payload: dict[str, Any]) -> EventOutcome:
    """Apply one Resend event inside the caller's transaction (which it moves into the tenant)."""
    event_type = payload.get("type")
    if event_type not in RESEND_EVENT_STATUS:
        return EventOutcome("ignored", f"unhandled event type {str(event_type)[:100]!r}")
    data = payload.get("data")
    email_id = data.get("email_id") if isinstance(data, dict) else None
    if not isinstance(email_id, str) or not 0 < len(email_id) <= 255:
        raise MalformedEvent(f"{event_type} without data.email_id")
    found = session.execute(
        text("SELECT notification_id, tenant_id FROM webhook_notification_lookup(:id)"),
        {"id": email_id},
    ).first()
    if found is None:
        raise TargetNotFound("no notification matches this email id")
    enter_tenant(session, TenantContext(tenant_id=found.tenant_id))
    notification = session.exec(
        select(Notification).where(Notification.id == found.notification_id).with_for_update()
    ).one()
    apply_email_status(
        session=session,
        notification=notification,
        status=RESEND_EVENT_STATUS[event_type],
        at=_event_time(payload),
    )
    return EventOutcome("processed")
