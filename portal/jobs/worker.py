"""Running the job worker: as `portal worker` processes, or inside the app's lifespan.

The in-process worker is supervised: a crash is logged with its traceback and the worker is
restarted after a growing pause, and a heartbeat says it is alive, so /healthz can answer 503
when it is enabled but dead or stale and an orchestrator can restart the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from portal.integrations import worker_status
from portal.integrations.worker_status import STALE_SECONDS
from portal.jobs.app import job_app

log = logging.getLogger(__name__)
CONCURRENCY = 4
# Jobs scheduled a moment ahead (a webhook batch job waiting for the running one) become due
# without a NOTIFY; the worker looks for them this often (procrastinate's default is 5 s).
FETCH_POLLING_SECONDS = 0.5
# How often a running in-process worker stamps its heartbeat (/healthz: worker_status).
HEARTBEAT_SECONDS = 5.0
# Pauses before each restart after consecutive crashes (the last one repeats).
BACKOFF_SECONDS = (1.0, 2.0, 5.0, 15.0, 30.0, 60.0)
# A worker that ran this long before crashing starts the backoff over.
STEADY_SECONDS = 300.0

# Called (in order) each time a worker starts, once its connections are open: the way a test
# injects a fault or learns that a worker started.
start_hooks: list[Callable[[], None]] = []


async def run_worker(
    *, concurrency: int = CONCURRENCY, name: str = "portal-worker", signals: bool = True
) -> None:
    """Run a worker on every queue until stopped (SIGINT/SIGTERM, or cancellation)."""
    import portal.jobs.media  # noqa: F401
    import portal.jobs.notifications  # noqa: F401
    import portal.jobs.periodic  # noqa: F401  (registers the periodic jobs)
    import portal.jobs.tasks  # noqa: F401

    async with job_app.open_async():
        for hook in list(start_hooks):
            hook()
        await job_app.run_worker_async(
            concurrency=concurrency,
            name=name,
            install_signal_handlers=signals,
            update_heartbeat_interval=5.0,
            fetch_job_polling_interval=FETCH_POLLING_SECONDS,
        )


def backoff(failures: int) -> float:
    """The pause before restarting after `failures` consecutive crashes (1 or more)."""
    return BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS)) - 1]


@dataclass
class Supervisor:
    """Keeps one in-process worker running: restart after a crash, heartbeat while it runs."""

    run: Callable[[], Awaitable[None]]
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic
    last_heartbeat: float | None = None
    restarts: int = 0
    last_error: str = ""
    _failures: int = field(default=0, repr=False)

    def beat(self) -> None:
        """Stamp the heartbeat (the worker task is alive)."""
        self.last_heartbeat = self.clock()

    def heartbeat_age(self) -> float | None:
        """Seconds since the last heartbeat, or None before the first."""
        return None if self.last_heartbeat is None else self.clock() - self.last_heartbeat

    def alive(self) -> bool:
        """Whether the worker beat within STALE_SECONDS."""
        age = self.heartbeat_age()
        return age is not None and age <= STALE_SECONDS

    async def _run_once(self) -> None:
        """Run the worker to its end, beating every HEARTBEAT_SECONDS while it runs."""
        task = asyncio.create_task(self.run())
        try:
            while not task.done():
                self.beat()
                await asyncio.wait({task}, timeout=HEARTBEAT_SECONDS)
            task.result()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _crashed(self, exc: Exception, ran_for: float) -> float:
        """Log the crash with its traceback; the pause before the restart."""
        steady = ran_for >= STEADY_SECONDS
        self._failures = 1 if steady else self._failures + 1
        pause = backoff(self._failures)
        self.last_error = f"{type(exc).__name__}: {exc}"[:300]
        log.error("in-process job worker crashed; restarting in %.0f s", pause, exc_info=exc)
        return pause

    async def supervise(self) -> None:
        """Run the worker forever; every crash (or unexpected stop) is logged and restarted."""
        while True:
            started = self.clock()
            try:
                await self._run_once()
                raise RuntimeError("the job worker stopped on its own")
            except Exception as exc:
                pause = self._crashed(exc, self.clock() - started)
            await self.sleep(pause)
            self.restarts += 1


@contextlib.asynccontextmanager
async def inprocess_worker(
    *,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[None]:
    """Lifespan task: a supervised worker beside the web app, stopped with it
    (PORTAL_INPROCESS_WORKER), registered in worker_status while it runs (for /healthz);
    `sleep` and `clock` let tests control the backoff."""
    from portal.settings import get_settings

    if not get_settings().portal_inprocess_worker:
        yield
        return
    supervisor = Supervisor(
        run=lambda: run_worker(name="portal-app-worker", signals=False), sleep=sleep, clock=clock
    )
    worker_status.current_job_worker = supervisor
    task = asyncio.create_task(supervisor.supervise())
    log.info("in-process job worker started")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if worker_status.current_job_worker is supervisor:
            worker_status.current_job_worker = None
