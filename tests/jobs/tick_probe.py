"""A worker process with one every-second periodic job, for the once-per-tick test.

Run as `python -m tests.jobs.tick_probe <job name> <ticks>`: its own procrastinate App, its
own connection pool, like a separate `portal worker` process. It stops once `ticks` runs of
the job are in job_runs (whichever process ran them), so it never depends on how fast the
machine is; exit status 1 if that did not happen within DEADLINE_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

from procrastinate import App, PsycopgConnector

from portal.jobs.app import _pool
from portal.services.operations.job_runs import job_run

DEADLINE_SECONDS = 120.0


def main(name: str, ticks: int) -> int:
    probe = App(connector=PsycopgConnector(pool_factory=_pool, min_size=1, max_size=3))

    @probe.periodic(cron="* * * * * *", periodic_id=name)
    @probe.task(name=name, queue=name)
    def tick_probe(timestamp: int) -> None:
        with job_run(name) as meta:
            meta["tick"] = timestamp

    async def runs() -> int:
        row = await probe.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM job_runs WHERE job_name = %(name)s", name=name
        )
        return row["n"]

    async def run() -> bool:
        async with probe.open_async():
            worker = asyncio.create_task(
                probe.run_worker_async(queues=[name], install_signal_handlers=False)
            )
            deadline = time.monotonic() + DEADLINE_SECONDS
            done = await runs() >= ticks
            while not done and time.monotonic() < deadline:
                await asyncio.sleep(0.2)  # polling the ledger, not waiting for time to pass
                done = await runs() >= ticks
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            return done

    return 0 if asyncio.run(run()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
