"""A worker process with one every-second periodic job, for the once-per-tick test.

Run as `python -m tests.jobs.tick_probe <job name> <seconds>`: its own procrastinate App, its
own connection pool, like a separate `portal worker` process.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

from procrastinate import App, PsycopgConnector

from portal.jobs.app import _pool
from portal.services.job_runs import job_run


def main(name: str, seconds: float) -> None:
    probe = App(connector=PsycopgConnector(pool_factory=_pool, min_size=1, max_size=3))

    @probe.periodic(cron="* * * * * *", periodic_id=name)
    @probe.task(name=name, queue=name)
    def tick_probe(timestamp: int) -> None:
        with job_run(name) as meta:
            meta["tick"] = timestamp

    async def run() -> None:
        async with probe.open_async():
            worker = asyncio.create_task(
                probe.run_worker_async(queues=[name], install_signal_handlers=False)
            )
            await asyncio.sleep(seconds)
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    asyncio.run(run())


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
