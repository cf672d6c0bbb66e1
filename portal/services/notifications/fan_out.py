"""Notification fan-out: who hears about an event, one row each, email queued per preference.

Rules (docs/notifications.md): never the actor; only active, non-guest users; recipients are
read in the caller's own scope, so nobody in another agency is ever reached. An agency's
session cannot see the studio's users, so ids it cannot see go through
`notification_insert_managing`, which reaches only active admins of the studio managing that
agency. A payload holds a link, ids and either a `title` or an `actor_id` with its `action`; no
names and no comment words (notification_inbox.displayed renders those at read time, and the
comment's excerpt only for recipients in the comment's own tenant). `private` is for callers
that must store extra fields for same-tenant recipients only; the events do not use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import select, text
from sqlmodel import Session

from portal import routes
from portal.integrations.job_queue import defer_jobs
from portal.models import Notification, User
from portal.services.core.errors import InvalidInput

# type -> (label on the preferences page, default email mode)
TYPES: dict[str, tuple[str, str]] = {
    "comment": ("Comments on my tasks and assets", "digest"),
    "mention": ("@mentions", "immediately"),
    "task_assigned": ("Tasks assigned to me", "immediately"),
    "task_due": ("My tasks due tomorrow", "immediately"),
    "asset_ready": ("My uploads ready", "digest"),
    "asset_errored": ("My uploads failed", "immediately"),
    "version_ready": ("New versions ready to review", "immediately"),
    "approval_requested": ("Approval requested", "immediately"),
    "approval_given": ("Approvals given", "digest"),
    "changes_requested": ("Changes requested", "immediately"),
    "share_viewed": ("Share link first viewed", "digest"),
    "client_decision": ("Client decisions through share links", "immediately"),
    "client_files": ("Files clients send through upload requests", "immediately"),
    "invite_accepted": ("Invitations accepted", "digest"),
}
MODES = ("immediately", "digest", "off")
EXCERPT = 140
EMAIL_QUEUE = "notifications"
EMAIL_TASK = "send_notification_email"

_INSERT_MANAGING = text(
    "SELECT notification_id, tenant_id"
    " FROM notification_insert_managing(:user_id, :type, CAST(:payload AS jsonb))"
)


def mode_for(prefs: dict | None, type_: str) -> str:
    """A user's email mode for a type: their choice, else the type's default."""
    chosen = (prefs or {}).get(type_)
    return chosen if chosen in MODES else TYPES.get(type_, ("", "off"))[1]


def excerpt(body: str) -> str:
    """The first words of a comment, for recipients inside the tenant only."""
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _initial_status(user: User, type_: str) -> tuple[str, str | None]:
    if user.email_bounced_at is not None:
        return "skipped", "the address bounced earlier"
    mode = mode_for(user.notification_prefs, type_)
    if mode == "off":
        return "skipped", "email off in preferences"
    return ("queued" if mode == "immediately" else "digest"), None


def fan_out(
    *,
    session: Session,
    type_: str,
    tenant_id: UUID,
    actor_id: UUID | None,
    recipients: Iterable[UUID | str | None],
    payload: dict,
    private: dict | None = None,
) -> list[UUID]:
    """Create one notification per recipient except the actor; queue immediate emails."""
    if type_ not in TYPES:
        raise InvalidInput(f"Unknown notification type: {str(type_)[:100]}.")
    wanted = {UUID(str(r)) for r in recipients if r} - {actor_id}
    if not wanted:
        return []
    visible = session.scalars(select(User).where(User.id.in_(wanted))).all()
    rows = []
    for user in (u for u in visible if u.status == "active" and u.role != "guest"):
        status, note = _initial_status(user, type_)
        data = {**payload, **(private or {})} if user.tenant_id == tenant_id else dict(payload)
        rows.append(
            Notification(
                tenant_id=user.tenant_id,
                user_id=user.id,
                type=type_,
                payload=data,
                email_status=status,
                email_note=note,
            )
        )
    session.add_all(rows)
    session.flush()
    queued = [(n.id, n.tenant_id) for n in rows if n.email_status == "queued"]
    for user_id in wanted - {u.id for u in visible}:
        params = {"user_id": user_id, "type": type_, "payload": json.dumps(payload)}
        queued.extend(tuple(r) for r in session.execute(_INSERT_MANAGING, params).all())
    _queue_emails(session, queued)
    mine = {n.id for n in rows}
    return [n.id for n in rows] + [i for i, _ in queued if i not in mine]


def _queue_emails(session: Session, queued: list[tuple[UUID, UUID]]) -> None:
    """One email job per notification, deferred in this transaction in one statement."""
    defer_jobs(
        session,
        task=EMAIL_TASK,
        queue=EMAIL_QUEUE,
        jobs=(
            (f"notification-email:{n}", {"notification_id": str(n), "tenant_id": str(t)})
            for n, t in queued
        ),
    )


def link_for_project(project_id: UUID | str) -> str:
    """Where a notification about something in a project leads."""
    return routes.project_url(str(project_id))
