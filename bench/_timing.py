"""Timing helpers shared by the data-set benchmarks: interleaved p95s and plans.

A figure and its baseline are timed in alternation (a, b, a, b, …), so a change in machine load
during the run moves both alike instead of skewing the ratio.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from sqlalchemy import Engine, create_engine, text

RUNS = int(os.environ.get("BENCH_RUNS", "50"))


def p95(samples: list[float]) -> float:
    """The 95th percentile in milliseconds."""
    if len(samples) == 1:
        return samples[0] * 1000
    return statistics.quantiles(samples, n=20)[18] * 1000


def measure(run: Callable[[], object], runs: int = RUNS) -> float:
    """p95 (ms) of `run` after one warm-up call."""
    run()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return p95(samples)


def measure_pair(
    run: Callable[[], object], baseline: Callable[[], object], runs: int = RUNS
) -> tuple[float, float]:
    """p95s (ms) of `run` and `baseline`, timed alternately after a warm-up of each."""
    run(), baseline()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for target, fn in zip(samples, (run, baseline), strict=True):
            start = time.perf_counter()
            fn()
            target.append(time.perf_counter() - start)
    return p95(samples[0]), p95(samples[1])


def superuser_engine(conninfo: str) -> Engine:
    """An engine as the server's superuser: no RLS, the physical baseline for a query."""
    from tests.conftest import libpq_to_sqlalchemy

    return create_engine(libpq_to_sqlalchemy(conninfo), pool_size=2)


def show_plan(connection, statement: str, params: dict, title: str) -> None:  # type: ignore[no-untyped-def]
    """Print EXPLAIN (ANALYZE, BUFFERS) of `statement` run on `connection`."""
    rows = connection.execute(
        text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement}"), params
    ).scalars()
    _print_plan(rows, title)


def show_statement_plan(session, statement, title: str) -> None:  # type: ignore[no-untyped-def]
    """EXPLAIN (ANALYZE, BUFFERS) of a SQLAlchemy statement on `session`'s connection (its
    transaction: a tenant session's RLS context applies)."""
    compiled = statement.compile(dialect=session.get_bind().dialect)
    cursor = session.connection().connection.cursor()
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}", compiled.params)
    _print_plan([r[0] for r in cursor.fetchall()], title)


def _print_plan(lines, title: str) -> None:  # type: ignore[no-untyped-def]
    """Plan lines, each cut at 160 characters (a scope of 1,001 tenant ids is one long line)."""
    cut = [line if len(line) <= 160 else line[:157] + "..." for line in lines]
    print(f"plan ({title}):\n    " + "\n    ".join(cut), flush=True)
