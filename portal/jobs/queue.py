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


def defer_webhook_processing(
    session: Session, event_id: str, *, scheduled_at: datetime | None = None, new: bool = False
) -> bool:
    """Queue processing of one stored webhook event (at most one waiting job per event).

    `new=True` (an event inserted in this transaction, so no job can wait for it yet) skips
    the savepoint that guards the queueing lock: one round trip fewer on the ingest path.
    """
    lock = f"webhook:{event_id}"
    if new:
        session.execute(
            _DEFER,
            {
                "queue": WEBHOOK_QUEUE,
                "task": PROCESS_WEBHOOK_TASK,
                "queueing_lock": lock,
                "args": json.dumps({"event_id": event_id}),
                "scheduled_at": scheduled_at,
            },
        )
        return True
    return defer_job(
        session,
        task=PROCESS_WEBHOOK_TASK,
        queue=WEBHOOK_QUEUE,
        args={"event_id": event_id},
        queueing_lock=lock,
        scheduled_at=scheduled_at,
    )
