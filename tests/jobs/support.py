"""Helpers for job tests: drain the webhook queue with a real procrastinate worker."""

from __future__ import annotations

import asyncio
from uuid import UUID

from sqlalchemy import text

from portal.db import tenant_session
from portal.jobs.app import job_app
from portal.jobs.queue import WEBHOOK_QUEUE


def drain_webhook_queue() -> None:
    """Run a worker on the webhook queue until it has nothing left to do."""
    import portal.jobs.tasks  # noqa: F401

    async def _run() -> None:
        async with job_app.open_async():
            await job_app.run_worker_async(
                queues=[WEBHOOK_QUEUE], wait=False, install_signal_handlers=False, concurrency=2
            )

    asyncio.run(_run())


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
