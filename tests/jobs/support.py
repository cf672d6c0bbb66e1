"""Helpers for job tests: drain the webhook queue with a real procrastinate worker."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from sqlalchemy import text

from portal.db import tenant_session
from portal.integrations.job_queue import WEBHOOK_BATCH_LOCK, WEBHOOK_QUEUE
from portal.jobs.app import job_app


def run_async(main: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine on a fresh event loop in its own thread (a browser test may have left a
    loop running in this one)."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(main()))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def drain_webhook_queue() -> None:
    """Run a worker on the webhook queue until it has nothing left to do."""
    import portal.jobs.tasks  # noqa: F401

    async def _run() -> None:
        async with job_app.open_async():
            await job_app.run_worker_async(
                queues=[WEBHOOK_QUEUE], wait=False, install_signal_handlers=False, concurrency=2
            )

    run_async(_run)


def waiting_jobs(event_id: UUID) -> int:
    """Jobs queued (todo) for one webhook event."""
    with tenant_session(None) as session:
        return session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' "
                "AND queueing_lock = :lock"
            ),
            {"lock": f"webhook:{event_id}"},
        ).scalar_one()


def waiting_batch_jobs() -> int:
    """Webhook batch jobs queued (todo): at most one at any time."""
    with tenant_session(None) as session:
        return session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo' "
                "AND queueing_lock = :lock"
            ),
            {"lock": WEBHOOK_BATCH_LOCK},
        ).scalar_one()


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass (a deadline, not a delay)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# The advisory lock key a worker started with PAUSE_LOCK_ENV set to it waits on mid-batch.
BATCH_PAUSE_KEY = 0x5445_5354  # "TEST"


@contextmanager
def batches_paused(conninfo: str, key: int = BATCH_PAUSE_KEY) -> Iterator[Callable[[], int]]:
    """Hold the pause lock; yields a count of batches now waiting at the pause point (their
    events applied, not committed). Leaving releases them."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield lambda: _lock_waiters(conn, key)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def _lock_waiters(conn: psycopg.Connection, key: int) -> int:
    """Backends of this database waiting for advisory lock `key` (a bigint key below 2**31)."""
    return conn.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
        " WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted"
        " AND l.classid = 0 AND l.objid = %s AND l.objsubid = 1",
        (key,),
    ).fetchone()[0]
