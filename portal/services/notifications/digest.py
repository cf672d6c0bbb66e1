"""The daily digest: one email per user with the notifications of the days before today.

The cutoff is local midnight in the portal's zone (Australia/Sydney by default), so a
notification at 23:59 goes in the next morning's digest and one at 00:01 waits a day more.
"""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from uuid import UUID

from sqlalchemy import select

from portal.db import TenantContext, tenant_session
from portal.models import Notification, User
from portal.services.core.errors import TemplateError
from portal.services.core.locale import format_date, viewer_zone
from portal.services.notifications import email_templates as render
from portal.services.notifications.delivery import brand_of, deliver, unsubscribe_url
from portal.services.notifications.fan_out import TYPES
from portal.services.notifications.inbox import displayed


def _local_day(n: Notification) -> str:
    return format_date(n.created_at.astimezone(viewer_zone()).date())


def send_digest(*, tenant_id: UUID, user_id: UUID, cutoff: datetime) -> int:
    """Send one user's digest of everything waiting from before `cutoff`; returns how many."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        rows = session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.email_status == "digest",
                Notification.created_at < cutoff,
            )
            .order_by(Notification.created_at, Notification.id)
            .with_for_update(skip_locked=True)
        ).all()
        user = session.get(User, user_id)
        if not rows or user is None:
            return 0
        if user.status != "active" or user.email_bounced_at is not None:
            for n in rows:
                n.email_status, n.email_note = "skipped", "the address bounced or is not active"
            return 0
        brand = brand_of(session, tenant_id)
        shown: list[Notification] = []
        items: list[tuple[str, render.Item]] = []
        payloads = displayed(session=session, notifications=rows)  # names, excerpts
        for n in rows:
            try:
                items.append((_local_day(n), render.item(n.type, payloads[n.id], brand.base_url)))
                shown.append(n)
            except TemplateError as exc:
                n.email_status, n.email_note = "failed", f"cannot render: {exc}"[:500]
        if not shown:
            return 0
        days = [(day, [i for _, i in group]) for day, group in groupby(items, key=lambda x: x[0])]
        types = sorted({n.type for n in shown})
        stop = [(TYPES[t][0], unsubscribe_url(tenant_id, user_id, t)) for t in types]
        email = render.digest(
            to=user.email, days=days, brand=brand, unsubscribe=stop, tenant_id=tenant_id
        )
        key = f"digest/{user_id}/{cutoff.date().isoformat()}"
        message_id = deliver(session, email, key=key, unsubscribe_url=stop[0][1])
        # The message id is unique per notification: the newest carries it (and Resend's
        # delivery report); the others say which digest they went in.
        for n in shown:
            n.email_status, n.email_note = "sent", f"in the digest {key}"
        shown[-1].email_message_id = message_id
        return len(shown)
