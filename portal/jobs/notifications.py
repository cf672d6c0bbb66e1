"""Notification jobs: one email per notification (with retries), the daily digest, due-tomorrow.

A failed send never touches the action that caused it: the notification row and its job were
committed with the action, and the email is tried again here until the last attempt, after which
the notification reads `failed` (the bell still shows it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from procrastinate import JobContext, RetryStrategy
from sqlalchemy import select

from portal.db import TenantContext, tenant_session
from portal.jobs.app import job_app
from portal.jobs.periodic import PERIODIC_QUEUE
from portal.models import Tenant
from portal.services.core.locale import viewer_zone
from portal.services.notifications.delivery import (
    PermanentSendError,
    digest_cutoff,
    mark_failed,
    send_notification_email,
    users_with_digest,
)
from portal.services.notifications.digest import send_digest
from portal.services.notifications.events import notify_due_tomorrow
from portal.services.notifications.fan_out import EMAIL_QUEUE, EMAIL_TASK
from portal.services.operations.job_runs import error_text, job_run
from portal.settings import get_settings

MAX_ATTEMPTS = 5


def _tenant_ids() -> list[UUID]:
    with tenant_session(None) as session:
        return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))


@job_app.task(
    name=EMAIL_TASK,
    queue=EMAIL_QUEUE,
    pass_context=True,
    retry=RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=4),
)
def send_notification_email_task(context: JobContext, notification_id: str, tenant_id: str) -> str:
    """Email one notification (idempotent: a done notification is never sent again)."""
    ids = {"notification_id": UUID(notification_id), "tenant_id": UUID(tenant_id)}
    last = context.job.attempts + 1 >= MAX_ATTEMPTS
    with job_run(EMAIL_TASK) as meta:
        meta["notification_id"] = notification_id
        try:
            meta["status"] = send_notification_email(**ids)
        except PermanentSendError as exc:
            mark_failed(**ids, note=str(exc))
            meta["status"] = meta["result"] = "failed"  # shown as failed on /operations
            meta["error"] = str(exc)
        except Exception as exc:
            if not last:
                raise
            mark_failed(**ids, note=f"gave up after {MAX_ATTEMPTS} attempts: {error_text(exc)}")
            meta["status"] = meta["result"] = "failed"
            meta["error"] = error_text(exc)
    return meta["status"]


def run_digests(now: datetime) -> dict[str, int]:
    """Send every waiting digest from before today's local midnight (once the hour has come)."""
    if now.astimezone(viewer_zone()).hour < get_settings().notification_digest_hour:
        return {"result": "skipped"}  # type: ignore[dict-item]
    cutoff, sent, failed = digest_cutoff(now), 0, 0
    for tenant_id in _tenant_ids():
        with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
            users = users_with_digest(session=session, cutoff=cutoff)
        for user_id in users:
            try:
                sent += send_digest(tenant_id=tenant_id, user_id=user_id, cutoff=cutoff)
            except Exception:
                failed += 1  # still waiting: the next hourly run tries again
    return {"notifications": sent, "failed_users": failed}


@job_app.periodic(cron="5 * * * *")
@job_app.task(name="notification_digests", queue=PERIODIC_QUEUE)
def notification_digests(timestamp: int) -> None:
    """Hourly: daily digests go out at the configured local hour (late runs catch up)."""
    with job_run("notification_digests") as meta:
        meta["tick"] = timestamp
        meta.update(run_digests(datetime.fromtimestamp(timestamp, UTC)))
        if meta.get("failed_users"):
            meta["result"] = "failed"  # they wait for the next hour; /operations shows it


@job_app.periodic(cron="0 * * * *")
@job_app.task(name="notify_due_tomorrow", queue=PERIODIC_QUEUE)
def notify_due_tomorrow_job(timestamp: int) -> None:
    """Hourly, acting at the digest hour: assignees of open tasks due tomorrow hear of it."""
    now = datetime.fromtimestamp(timestamp, UTC).astimezone(viewer_zone())
    with job_run("notify_due_tomorrow") as meta:
        meta["tick"] = timestamp
        if now.hour != get_settings().notification_digest_hour:
            meta["result"] = "skipped"
            return
        total = 0
        for tenant_id in _tenant_ids():
            with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
                total += notify_due_tomorrow(session=session, today=now.date())
        meta["notified"] = total
