"""Periodic jobs. Every worker schedules them, and procrastinate's unique
(task, periodic id, tick) row makes exactly one of them defer each tick."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal.db import tenant_session
from portal.jobs.app import job_app
from portal.services.compliance import audit_chain, backups, residency
from portal.services.compliance import retention as maintenance
from portal.services.media import sweep, tus_uploads
from portal.services.operations.job_runs import job_run
from portal.services.operations.webhook_processing import requeue_due_events
from portal.services.sharing import client_files

PERIODIC_QUEUE = "periodic"


def _tick(meta: dict[str, Any], timestamp: int) -> None:
    meta["tick"] = timestamp


def _clock(timestamp: int) -> datetime:
    """The tick is the job's clock: retention is exact to the tick (and testable)."""
    return datetime.fromtimestamp(timestamp, UTC)


@job_app.periodic(cron="*/5 * * * *")
@job_app.task(name="expire_share_links", queue=PERIODIC_QUEUE)
def expire_share_links(timestamp: int) -> None:
    """Mark share links past their expiry as expired, in every tenant."""
    with job_run("expire_share_links") as meta, tenant_session(None) as session:
        _tick(meta, timestamp)
        meta["expired"] = maintenance.expire_share_links_everywhere(session=session)


@job_app.periodic(cron="* * * * *")
@job_app.task(name="webhook_retry_sweep", queue=PERIODIC_QUEUE)
def webhook_retry_sweep(timestamp: int) -> None:
    """Queue webhook events whose retry is due or whose job was lost (e.g. a killed worker)."""
    with job_run("webhook_retry_sweep") as meta, tenant_session(None) as session:
        _tick(meta, timestamp)
        meta["requeued"] = requeue_due_events(session=session)


@job_app.periodic(cron="*/10 * * * *")
@job_app.task(name="stuck_assets_sweep", queue=PERIODIC_QUEUE)
def stuck_assets_sweep(timestamp: int) -> None:
    """Assets stuck uploading or processing with no live job: re-queued once, else errored."""
    with job_run("stuck_assets_sweep") as meta:
        _tick(meta, timestamp)
        meta.update(sweep.sweep_stuck_assets(now=_clock(timestamp)))


@job_app.periodic(cron="*/15 * * * *")
@job_app.task(name="tus_uploads_sweep", queue=PERIODIC_QUEUE)
def tus_uploads_sweep(timestamp: int) -> None:
    """Resumable uploads past their expiry (TUS_EXPIRY_HOURS after their last bytes): the row
    and the partial file deleted, in every tenant."""
    with job_run("tus_uploads_sweep") as meta:
        _tick(meta, timestamp)
        meta.update(tus_uploads.sweep_expired_uploads(now=_clock(timestamp)))


@job_app.periodic(cron="31 3 * * *")
@job_app.task(name="client_files_retention", queue=PERIODIC_QUEUE)
def client_files_retention(timestamp: int) -> None:
    """Daily: each tenant's client files older than its client_file_retention_days deleted."""
    with job_run("client_files_retention") as meta:
        _tick(meta, timestamp)
        meta.update(client_files.purge_client_files(now=_clock(timestamp)))


@job_app.periodic(cron=maintenance.RETENTION_CRON)
@job_app.task(name="retention_purge", queue=PERIODIC_QUEUE)
def retention_purge(timestamp: int) -> None:
    """Purge every table past its retention period (retention_periods, e.g. share links 90 days
    after expiry), as the owner and by the database's clock: the tick only labels the run."""
    with job_run("retention_purge") as meta:
        _tick(meta, timestamp)
        meta.update(maintenance.purge_retention())


@job_app.periodic(cron="47 3 * * *")
@job_app.task(name="audit_chain_check", queue=PERIODIC_QUEUE)
def audit_chain_check(timestamp: int) -> None:
    """Verify every tenant's audit hash chain; record the heads (and any break) in job_runs."""
    with job_run("audit_chain_check") as meta:
        _tick(meta, timestamp)
        reports = audit_chain.verify_chains()
        meta["tenants"] = len(reports)
        meta["heads"] = audit_chain.chain_heads(reports)
        broken = {str(r.tenant_id): r.broken.describe() for r in reports if r.broken}
        if broken:
            meta["broken"] = broken
            meta["result"] = "failed"


@job_app.periodic(cron=maintenance.AUDIT_PARTITIONS_CRON)
@job_app.task(name="audit_partitions", queue=PERIODIC_QUEUE)
def audit_partitions(timestamp: int) -> None:
    """Create audit partitions two months ahead; detach and drop those older than 365 days
    (as the owner, by the database's clock)."""
    with job_run("audit_partitions") as meta:
        _tick(meta, timestamp)
        meta.update(maintenance.maintain_audit_partitions())


@job_app.periodic(cron="30 4 * * *")
@job_app.task(name="backup_verification", queue=PERIODIC_QUEUE)
def backup_verification(timestamp: int) -> None:
    """Daily (RPO 24 h): pg_dump with a manifest, then restore it into a scratch database and
    compare every table's rows and checksum and the audit chains; result and time in job_runs."""
    with job_run("backup_verification") as meta:
        _tick(meta, timestamp)
        meta.update(backups.backup_and_drill())


@job_app.periodic(cron="0 5 1 * *")
@job_app.task(name="residency_evidence", queue=PERIODIC_QUEUE)
def residency_evidence(timestamp: int) -> None:
    """Monthly residency evidence: an HTML and a JSON report per active tenant, checksummed."""
    with job_run("residency_evidence") as meta:
        _tick(meta, timestamp)
        rows = residency.generate_for_all()
        meta["reports"] = len(rows)
        meta["checksums"] = {str(r.tenant_id): r.checksum for r in rows}
