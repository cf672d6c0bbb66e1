"""What the compliance page shows: retention rules with their next purge dates and last results,
the age of the last verified backup, and the last audit-chain check (all from job_runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from croniter import croniter
from sqlalchemy import text
from sqlmodel import Session, select

from portal.models import JobRun
from portal.services.compliance import retention as m
from portal.services.compliance.redaction import redact
from portal.services.compliance.view_types import RetentionRow
from portal.services.core.locale import format_datetime, format_local_date

BACKUP_MAX_AGE = timedelta(hours=24)
BACKUP_JOBS = ("backup_verification", "restore_drill")
OLDEST_PARTITION = text(
    "SELECT min(c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
    "WHERE i.inhparent = 'audit_logs'::regclass AND c.relname ~ '^audit_logs_y[0-9]{4}m[0-9]{2}$'"
)


@dataclass
class BackupStatus:
    """The last verified backup: how old it is, and whether that is past the 24 h RPO."""

    age: str
    stale: bool
    details: str
    # The sentence the compliance page shows.
    summary: str = ""


NO_BACKUP = (
    "No verified backup yet: the daily backup drill (RPO 24 hours) has not restored one. "
    "Check the backup_verification job on the Operations page."
)


def describe_backup(taken: datetime | None, now: datetime) -> tuple[str, bool, str]:
    """(age, stale, sentence) for the newest verified backup, taken at `taken` (None: none)."""
    if taken is None:
        return "", True, NO_BACKUP
    hours = (now - taken).total_seconds() / 3600
    age, stale = f"{hours:.1f} hours", now - taken > BACKUP_MAX_AGE
    sentence = f"Last verified backup: {age} old, taken {format_datetime(taken)}"
    if stale:
        return age, stale, f"{sentence}: older than the 24-hour RPO."
    return age, stale, f"{sentence} (within the 24-hour RPO)."


def latest_run(session: Session, *names: str, result: str | None = None) -> JobRun | None:
    query = select(JobRun).where(JobRun.job_name.in_(names))
    if result:
        query = query.where(JobRun.result == result)
    return session.exec(query.order_by(JobRun.started_at.desc()).limit(1)).first()


def _summary(run: JobRun | None) -> tuple[str, str]:
    if run is None:
        return "never", ""
    meta = {k: v for k, v in redact(run.meta).items() if k != "tick"}
    details = ", ".join(f"{k}: {v}" for k, v in meta.items())
    return format_datetime(run.started_at), f"{run.result}; {details}"[:300]


def _next(cron: str, now: datetime) -> str:
    return format_datetime(croniter(cron, now).get_next(datetime))


def _due(oldest: datetime | None, days: int) -> str:
    return format_local_date(oldest + timedelta(days=days)) if oldest else "nothing to purge"


def _oldest_partition_end(session: Session) -> datetime | None:
    name = session.execute(OLDEST_PARTITION).scalar()
    if not name:
        return None
    start = datetime(int(name[12:16]), int(name[17:19]), 1, tzinfo=UTC)
    return (start + timedelta(days=32)).replace(day=1)


# table -> (what the page calls it, what the period counts from, the oldest item's time)
RETENTION_SHOWN = {
    "share_links": ("Share links", "after expiry", "SELECT min(expires_at) FROM share_links"),
    "notifications": (
        "Notifications", "after creation", "SELECT min(created_at) FROM notifications"
    ),
    "auth_tokens": (
        "Sign-in and invite links", "after expiry", "SELECT min(expires_at) FROM auth_tokens"
    ),
    "user_sessions": (
        "Signed-in sessions", "after expiry", "SELECT min(expires_at) FROM user_sessions"
    ),
    "login_attempts": (
        "Sign-in attempts", "after the attempt", "SELECT min(created_at) FROM login_attempts"
    ),
    "mail_outbox": (
        "Local mail outbox", "after it is written", "SELECT min(created_at) FROM mail_outbox"
    ),
    "job_runs": (
        "Job ledger", "after the run (each job's latest run is kept)",
        "SELECT min(started_at) FROM job_runs",
    ),
    "webhook_events": (
        "Webhook events", "after receipt, once handled",
        "SELECT min(received_at) FROM webhook_events"
        " WHERE status IN ('processed', 'ignored', 'dead')",
    ),
    "api_tokens": (
        "API tokens", "after revocation or expiry",
        "SELECT min(coalesce(revoked_at, expires_at)) FROM api_tokens",
    ),
    "api_idempotency_keys": (
        "API idempotency keys", "after they are written",
        "SELECT min(created_at) FROM api_idempotency_keys",
    ),
    "upload_requests": (
        "Upload request links", "after expiry", "SELECT min(expires_at) FROM upload_requests"
    ),
    "webhook_deliveries": (
        "Outbound webhook deliveries", "after sending, once succeeded or dead",
        "SELECT min(created_at) FROM webhook_deliveries WHERE status IN ('succeeded', 'dead')",
    ),
}  # fmt: skip


def retention_rows(*, session: Session, now: datetime | None = None) -> list[RetentionRow]:
    """Every table's rule (periods as the database enforces them): next job run, when the
    oldest item in scope falls due, last results."""
    now = now or datetime.now(UTC)
    periods = m.retention_periods(session=session)
    purge_when, purge_result = _summary(latest_run(session, "retention_purge"))
    audit_when, audit_result = _summary(latest_run(session, "audit_partitions"))
    rows = [
        (
            label,
            f"{periods[table]} days {counted}",
            session.scalar(text(oldest)),
            periods[table],
            m.RETENTION_CRON,
            purge_when,
            purge_result,
        )
        for table, (label, counted, oldest) in RETENTION_SHOWN.items()
    ]
    rows.append(
        ("Audit log", f"monthly partitions {periods['audit_logs']} days after the month ends",
         _oldest_partition_end(session), periods["audit_logs"], m.AUDIT_PARTITIONS_CRON,
         audit_when, audit_result)
    )  # fmt: skip
    return [
        RetentionRow(data, rule, _next(cron, now), _due(oldest, days), when, result)
        for data, rule, oldest, days, cron, when, result in rows
    ]


def backup_status(*, session: Session, now: datetime | None = None) -> BackupStatus:
    """Age of the newest backup a drill verified; stale past 24 hours or when there is none."""
    now = now or datetime.now(UTC)
    run = latest_run(session, *BACKUP_JOBS, result="succeeded")
    stamp = run.meta.get("backup_created_at") if run else None
    if not stamp:
        age, stale, summary = describe_backup(None, now)
        return BackupStatus(age, stale, "", summary)
    age, stale, summary = describe_backup(datetime.fromisoformat(stamp), now)
    details = f"{run.meta.get('archive', '')}: {run.meta.get('rows', '?')} rows in " + (
        f"{run.meta.get('tables', '?')} tables restored and matched in {run.meta.get('seconds')} s"
    )
    return BackupStatus(age, stale, details, summary)


def chain_status(*, session: Session) -> str:
    """The last audit-chain check, in words."""
    run = latest_run(session, "audit_chain_check")
    if run is None:
        return "The audit chains have not been checked yet."
    when = format_datetime(run.started_at)
    if run.result == "succeeded":
        return f"All {run.meta.get('tenants', 0)} tenants' audit chains verified on {when}."
    broken = ", ".join(run.meta.get("broken", {}).values())[:400]
    return f"Audit chain check on {when}: {run.result}. {broken}"
