"""The job ledger: every job run writes one `job_runs` row (name, times, result, metadata)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlmodel import Session, select

from portal.db import tenant_session
from portal.models import JobRun

RESULTS = ("running", "succeeded", "failed", "skipped")
# What a finished run may end as (the `job_runs` CHECK constraint, migration 0002).
FINISHED = ("succeeded", "failed", "skipped")


def error_text(error: BaseException) -> str:
    """A short, single-line description of an error for the ledger (no tracebacks)."""
    return f"{type(error).__name__}: {error}".replace("\n", " ")[:500]


@contextmanager
def job_run(job_name: str) -> Iterator[dict[str, Any]]:
    """Ledger a run: `running` first, then `succeeded` (or `skipped`) or `failed` with the error.

    The body fills the yielded dict with counts; setting `meta["result"] = "skipped"` marks a run
    that intentionally did nothing.
    """
    with tenant_session(None) as session:
        run = JobRun(job_name=job_name, started_at=datetime.now(UTC))
        session.add(run)
        session.flush()
        run_id = run.id
    meta: dict[str, Any] = {}
    try:
        yield meta
    except Exception as exc:
        meta["error"] = error_text(exc)
        _finish(run_id, "failed", meta)
        raise
    result = meta.pop("result", "succeeded")
    if result not in FINISHED:
        error = ValueError(f"{job_name} reported result {result!r}, not one of {FINISHED}")
        meta["error"] = error_text(error)
        _finish(run_id, "failed", meta)
        raise error
    _finish(run_id, result, meta)


def _finish(run_id: UUID, result: str, meta: dict[str, Any]) -> None:
    with tenant_session(None) as session:
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(result=result, completed_at=datetime.now(UTC), meta=meta)
        )


def list_job_runs(
    *, session: Session, job_name: str | None = None, result: str | None = None, limit: int = 100
) -> list[JobRun]:
    """The latest runs, newest first, optionally of one job or one result."""
    query = select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)
    if job_name:
        query = query.where(JobRun.job_name == job_name)
    if result:
        query = query.where(JobRun.result == result)
    return list(session.exec(query))
