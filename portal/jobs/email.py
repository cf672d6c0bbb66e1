"""The account-email job: send one queued email through Resend, with retries and backoff.

Each attempt writes a `job_runs` row (`send_mail`), so a failing provider shows on /operations;
a refusal for good (bad address) ends at once, anything else is retried up to MAX_ATTEMPTS.
"""

from __future__ import annotations

from uuid import UUID

from procrastinate import RetryStrategy

from portal.integrations.resend import PermanentSendError
from portal.jobs.app import job_app
from portal.services.email import outbox as mail
from portal.services.operations.job_runs import job_run

MAX_ATTEMPTS = 5


@job_app.task(
    name=mail.SEND_MAIL_TASK,
    queue=mail.MAIL_QUEUE,
    retry=RetryStrategy(max_attempts=MAX_ATTEMPTS, exponential_wait=4),
)
def send_mail_task(outbox_id: str, tenant_id: str = "") -> str:
    """Send one queued email (idempotent: a sent one is gone from the outbox)."""
    ids = {"outbox_id": UUID(outbox_id), "tenant_id": UUID(tenant_id) if tenant_id else None}
    with job_run(mail.SEND_MAIL_TASK) as meta:
        meta["outbox_id"] = outbox_id
        try:
            meta["message_id"] = mail.send_queued(**ids)
        except PermanentSendError as exc:
            mail.discard(**ids)
            meta["result"], meta["error"] = "failed", str(exc)
    return meta.get("message_id", "failed")
