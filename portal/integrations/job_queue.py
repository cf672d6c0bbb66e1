"""Deferring jobs inside the caller's own transaction (procrastinate's SQL, no second connection).

A job deferred here becomes visible to workers only when the transaction commits, so a stored
webhook event and the job that processes it exist together or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

WEBHOOK_QUEUE = "webhooks"
PROCESS_WEBHOOK_TASK = "process_webhook_event"
PROCESS_WEBHOOK_BATCH_TASK = "process_webhook_batch"
# At most one batch job waits (procrastinate's queueing lock covers `todo` jobs only, so a new
# event arriving while a batch runs still queues the next one).
WEBHOOK_BATCH_LOCK = "webhook-batch"

# The batch job's row, inserted unless one already waits: an INSERT with ON CONFLICT on
# procrastinate's partial unique index (status = 'todo'), since procrastinate_defer_jobs_v1
# raises on a taken queueing lock. Its triggers (NOTIFY, events) fire on an actual insert only.
DEFER_WEBHOOK_BATCH_SQL = f"""
INSERT INTO procrastinate_jobs (queue_name, task_name, priority, queueing_lock, args, scheduled_at)
VALUES ('{WEBHOOK_QUEUE}', '{PROCESS_WEBHOOK_BATCH_TASK}', 0, '{WEBHOOK_BATCH_LOCK}', '{{}}',
        CASE WHEN %(delay)s::float8 > 0 THEN now() + make_interval(secs => %(delay)s) END)
ON CONFLICT (queueing_lock) WHERE status = 'todo' DO NOTHING
"""

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, :queueing_lock,"
    " CAST(:args AS jsonb), CAST(:scheduled_at AS timestamptz))"
    "]::procrastinate_job_to_defer_v1[])"
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
