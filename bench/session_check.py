"""The per-event session check of Reflex handlers, before and after issue 18's cache.

Before (the uncached path, still what HTTP endpoints use): `resolve_session` — a lookup
transaction and a `last_seen_at` UPDATE transaction — on every handler event, plus `accent_of`
and `logo_url` (two more transactions and a file stat) on every page load. After: the warm
`SessionCache.check`, one autocommit statement that also carries the branding. Both timed
alternately in the same run, over the same live session; a bare `SELECT 1` on the same pool is
printed as the floor (one round trip). Goal (issue 18): at most one statement per event;
the p50s are compared (a sub-millisecond p95 on a shared machine mostly measures the scheduler).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bench._report import goal
from bench._support import scratch_database
from bench._timing import RUNS, measure


def _pair(run: Callable[[], object], baseline: Callable[[], object]) -> tuple[float, ...]:
    """p50 and p95 (ms) of `run`, then of `baseline`, timed alternately (4x RUNS each): the
    check takes a fraction of a millisecond, so a p95 alone mostly measures the scheduler."""
    run(), baseline()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(RUNS * 4):
        for target, fn in zip(samples, (run, baseline), strict=True):
            start = time.perf_counter()
            fn()
            target.append((time.perf_counter() - start) * 1000)
    return tuple(
        figure
        for taken in samples
        for figure in (statistics.median(taken), statistics.quantiles(taken, n=20)[18])
    )


def main() -> None:
    with scratch_database():
        from portal.db import app_pool
        from portal.services.accounts.auth import resolve_session, sign_in
        from portal.services.accounts.branding import logo_url
        from portal.services.accounts.session_check import SessionCache
        from portal.services.accounts.tenants import accent_of
        from tests.factories import PASSWORD, make_tenant, make_user
        from tests.services.accounts.test_session_check import Counted

        user = make_user(tenant=make_tenant())
        token = sign_in(email=user.email, password=PASSWORD).token
        cache = SessionCache()
        assert cache.check(token) is not None

        def before_event() -> None:
            assert resolve_session(token) is not None

        def before_page() -> None:
            found = resolve_session(token)
            assert found is not None
            accent_of(found.tenant_id), logo_url(found.tenant_id)

        def after() -> None:
            assert cache.check(token) is not None

        def floor() -> None:
            with app_pool().connection() as conn:
                conn.execute("SELECT 1").fetchone()

        event_after, event_after95, event_before, event_before95 = _pair(after, before_event)
        page_after, page_after95, page_before, page_before95 = _pair(after, before_page)
        round_trip = measure(floor)
        counted = Counted()
        counting = SessionCache(connect=counted)
        for _ in range(10):
            counting.check(token)
        per_event = len(counted.statements) / 10
        print(f"one bare round trip (SELECT 1 on the pool): p95 {round_trip:.2f} ms")
        goal(
            "session check: handler event (warm cache vs resolve_session)",
            f"p50 {event_after:.2f} ms (p95 {event_after95:.2f}), {per_event:.0f} statement/event",
            f"p50 {event_before:.2f} ms (p95 {event_before95:.2f}; lookup tx + last_seen tx)",
            event_after / event_before,
            "<= 1 statement per event, faster than before",
            per_event <= 1 and event_after < event_before,
        )
        goal(
            "session check: page load (warm cache vs resolve_session + accent_of + logo_url)",
            f"p50 {page_after:.2f} ms (p95 {page_after95:.2f})",
            f"p50 {page_before:.2f} ms (p95 {page_before95:.2f}; 4 transactions + a file stat)",
            page_after / page_before,
            "faster than before",
            page_after < page_before,
        )


if __name__ == "__main__":
    main()
