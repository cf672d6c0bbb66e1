"""Running the job worker: as `portal worker` processes, or inside the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from portal.jobs.app import job_app

log = logging.getLogger(__name__)
CONCURRENCY = 4
# Jobs scheduled a moment ahead (a webhook batch job waiting for the running one) become due
# without a NOTIFY; the worker looks for them this often (procrastinate's default is 5 s).
FETCH_POLLING_SECONDS = 0.5


async def run_worker(
    *, concurrency: int = CONCURRENCY, name: str = "portal-worker", signals: bool = True
) -> None:
    """Run a worker on every queue until stopped (SIGINT/SIGTERM, or cancellation)."""
    import portal.jobs.media  # noqa: F401
    import portal.jobs.notifications  # noqa: F401
    import portal.jobs.periodic  # noqa: F401  (registers the periodic jobs)
    import portal.jobs.tasks  # noqa: F401

    async with job_app.open_async():
        await job_app.run_worker_async(
            concurrency=concurrency,
            name=name,
            install_signal_handlers=signals,
            update_heartbeat_interval=5.0,
            fetch_job_polling_interval=FETCH_POLLING_SECONDS,
        )


@contextlib.asynccontextmanager
async def inprocess_worker() -> AsyncIterator[None]:
    """Lifespan task: a worker beside the web app, stopped with it (PORTAL_INPROCESS_WORKER)."""
    from portal.settings import get_settings

    if not get_settings().portal_inprocess_worker:
        yield
        return
    task = asyncio.create_task(run_worker(name="portal-app-worker", signals=False))
    log.info("in-process job worker started")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
