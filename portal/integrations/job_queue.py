"""procrastinate's SQL, all of it: deferring jobs inside the caller's own transaction (no second
connection), the webhook batch job, and which jobs are alive.

A job deferred here becomes visible to workers only when the transaction commits, so a stored
webhook event and the job that processes it exist together or not at all. What this module
relies on in procrastinate's schema is listed in RELIES_ON and checked against the migrated
database by tests/db/test_job_queue_schema.py, which also fails when procrastinate is upgraded
without a migration (PROCRASTINATE_VERSION).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

WEBHOOK_QUEUE = "webhooks"
PROCESS_WEBHOOK_TASK = "process_webhook_event"
# A version became ready: share links that follow the latest move, their clients are told.
SHARE_VERSION_TASK = "share_new_version"
SHARE_VERSION_QUEUE = "notifications"
PROCESS_WEBHOOK_BATCH_TASK = "process_webhook_batch"
# At most one batch job waits (procrastinate's queueing lock covers `todo` jobs only, so a new
# event arriving while a batch runs still queues the next one).
WEBHOOK_BATCH_LOCK = "webhook-batch"

# The procrastinate release whose schema the migrations applied (0008). Upgrading it needs a
# revision applying its sql/migrations/ files; tests/db/test_job_queue_schema.py fails until then.
PROCRASTINATE_VERSION = "3.10.0"
# A job as procrastinate_defer_jobs_v1 takes it: procrastinate_job_to_defer_v1's fields, in order.
JOB_TO_DEFER = (
    "queue_name",
    "task_name",
    "priority",
    "lock",
    "queueing_lock",
    "args",
    "scheduled_at",
)
# What the SQL here uses of procrastinate's schema: tables and columns, the composite type's
# fields (in order), the functions and the unique index.
RELIES_ON: dict[str, Any] = {
    "columns": {
        "procrastinate_jobs": ("id", *JOB_TO_DEFER, "status", "worker_id"),
        "procrastinate_workers": ("id", "last_heartbeat"),
    },
    "type_fields": {"procrastinate_job_to_defer_v1": JOB_TO_DEFER},
    "functions": {"procrastinate_defer_jobs_v1": "procrastinate_job_to_defer_v1[]"},
    # INSERT … ON CONFLICT (queueing_lock) WHERE status = 'todo' needs this partial unique index.
    "todo_lock_index": "procrastinate_jobs_queueing_lock_idx_v1",
    # The runtime role's grants (migration 0008).
    "tables": (
        "procrastinate_jobs",
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_workers",
    ),
}


def webhook_batch_job(*, rows_from: str = "", scheduled_at: str = "NULL::timestamptz") -> str:
    """SQL inserting the batch job (once per row of `rows_from`, a FROM … WHERE clause; one row
    without it) unless one already waits: an INSERT with ON CONFLICT on procrastinate's partial
    unique index (status = 'todo'), since procrastinate_defer_jobs_v1 raises on a taken
    queueing lock. Its triggers (NOTIFY, events) fire on an actual insert only."""
    return (
        "INSERT INTO procrastinate_jobs"
        " (queue_name, task_name, priority, queueing_lock, args, scheduled_at)"
        f" SELECT '{WEBHOOK_QUEUE}', '{PROCESS_WEBHOOK_BATCH_TASK}', 0, '{WEBHOOK_BATCH_LOCK}',"
        f" '{{}}', {scheduled_at} {rows_from}"
        " ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING"
    )


DEFER_WEBHOOK_BATCH_SQL = webhook_batch_job(
    scheduled_at="CASE WHEN %(delay)s::float8 > 0 THEN now() + make_interval(secs => %(delay)s) END"
)

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, :queueing_lock,"
    " CAST(:args AS jsonb), CAST(:scheduled_at AS timestamptz))"
    "]::procrastinate_job_to_defer_v1[])"
)
_DEFER_MANY = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY(SELECT ROW(:queue, :task, 0, NULL, x.lock, x.args,"
    " NULL::timestamptz)::procrastinate_job_to_defer_v1"
    " FROM unnest(CAST(:locks AS text[]), CAST(:args AS jsonb[])) AS x(lock, args)))"
)
# Jobs of a task, by one argument's value, that are waiting or running on a worker that still
# sends heartbeats (a worker killed mid-job leaves its job `doing` forever).
_LIVE = text(
    "SELECT DISTINCT j.args->>:key FROM procrastinate_jobs j"
    " LEFT JOIN procrastinate_workers w ON w.id = j.worker_id"
    " WHERE j.task_name = :task AND j.args->>:key = ANY(CAST(:values AS text[]))"
    " AND (j.status = 'todo' OR (j.status = 'doing' AND w.last_heartbeat > now() - :grace))"
)


def defer_job(
    session: Session,
    *,
    task: str,
    queue: str,
    args: dict[str, Any],
    queueing_lock: str | None = None,
    scheduled_at: datetime | None = None,
) -> bool:
    """Defer a job in this transaction; False when one with the same queueing lock waits."""
    params = {
        "queue": queue,
        "task": task,
        "queueing_lock": queueing_lock,
        "args": json.dumps(args),
        "scheduled_at": scheduled_at,
    }
    if queueing_lock is None:
        session.execute(_DEFER, params)
        return True
    try:
        with session.begin_nested():
            session.execute(_DEFER, params)
    except IntegrityError:
        return False
    return True


def defer_jobs(
    session: Session, *, task: str, queue: str, jobs: Iterable[tuple[str, dict[str, Any]]]
) -> None:
    """Defer several jobs of one task in this transaction, in one statement: (queueing lock,
    args) each; the locks must be free (a taken one fails the statement)."""
    jobs = list(jobs)
    if not jobs:
        return
    session.execute(
        _DEFER_MANY,
        {
            "queue": queue,
            "task": task,
            "locks": [lock for lock, _ in jobs],
            "args": [json.dumps(args) for _, args in jobs],
        },
    )


def live_jobs(
    session: Session, *, task: str, key: str, values: list[str], grace: timedelta
) -> set[str]:
    """Which `values` of the argument `key` have a job of `task` waiting, or running on a worker
    whose heartbeat is at most `grace` old."""
    params = {"task": task, "key": key, "values": values, "grace": grace}
    return set(session.scalars(_LIVE, params))


# The newest job of a task for one argument's value: its status, and whether a `doing` one runs
# on a worker that still sends heartbeats.
_LATEST = text(
    "SELECT j.status, coalesce(w.last_heartbeat > now() - :grace, false) FROM procrastinate_jobs j"
    " LEFT JOIN procrastinate_workers w ON w.id = j.worker_id"
    " WHERE j.task_name = :task AND j.args->>:key = :value ORDER BY j.id DESC LIMIT 1"
)


def latest_job(session: Session, *, task: str, key: str, value: str, grace: timedelta) -> str:
    """How the newest job of `task` whose argument `key` is `value` stands: "none", "todo",
    "doing" (on a live worker), "stalled" (doing on a worker gone silent), "failed" (failed for
    good or aborted), or procrastinate's status otherwise ("succeeded", "cancelled")."""
    row = session.execute(_LATEST, {"task": task, "key": key, "value": value, "grace": grace})
    found = row.first()
    if found is None:
        return "none"
    status, alive = str(found[0]), bool(found[1])
    if status == "doing":
        return "doing" if alive else "stalled"
    return "failed" if status in ("failed", "aborted") else status


def defer_webhook_batch(session: Session, *, delay: float = 0.0) -> None:
    """Make sure a batch job waits for the pending webhook events (no-op when one already does)."""
    session.connection().exec_driver_sql(DEFER_WEBHOOK_BATCH_SQL, {"delay": delay})


def defer_webhook_processing(
    session: Session, event_id: str, *, scheduled_at: datetime | None = None, new: bool = False
) -> bool:
    """Queue processing of one stored webhook event (at most one waiting job per event).

    Retries, replays and the sweeper queue one event; `new=True` (an event just stored) queues
    the batch job instead, which takes every pending event (see webhook_processing).
    """
    if new:
        defer_webhook_batch(session)
        return True
    lock = f"webhook:{event_id}"
    return defer_job(
        session,
        task=PROCESS_WEBHOOK_TASK,
        queue=WEBHOOK_QUEUE,
        args={"event_id": event_id},
        queueing_lock=lock,
        scheduled_at=scheduled_at,
    )
