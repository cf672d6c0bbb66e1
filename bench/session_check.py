"""The per-event session check of Reflex handlers, before and after issue 18's cache.

Before (the uncached path, still what HTTP endpoints use): `resolve_session` — a lookup
transaction and a `last_seen_at` UPDATE transaction — on every handler event, plus `accent_of`
and `logo_url` (two more transactions and a file stat) on every page load. After: the warm
`SessionCache.check`, one autocommit statement that also carries the branding. Both timed
alternately in the same run, over the same live session; a bare `SELECT 1` on the same pool is
printed as the floor (one round trip). Goal (issue 18): at most one statement per event.
"""

from __future__ import annotations

from bench._report import goal
from bench._support import scratch_database
from bench._timing import measure, measure_pair


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

        event_after, event_before = measure_pair(after, before_event)
        page_after, page_before = measure_pair(after, before_page)
        round_trip = measure(floor)
        counted = Counted()
        counting = SessionCache(connect=counted)
        for _ in range(10):
            counting.check(token)
        per_event = len(counted.statements) / 10
        print(f"one bare round trip (SELECT 1 on the pool): p95 {round_trip:.2f} ms")
        goal(
            "session check: handler event (warm cache vs resolve_session)",
            f"{event_after:.2f} ms p95, {per_event:.0f} statement/event",
            f"{event_before:.2f} ms p95 (lookup tx + last_seen tx)",
            event_after / event_before,
            "<= 1 statement per event, faster than before",
            per_event <= 1 and event_after < event_before,
        )
        goal(
            "session check: page load (warm cache vs resolve_session + accent_of + logo_url)",
            f"{page_after:.2f} ms p95",
            f"{page_before:.2f} ms p95 (4 transactions + a file stat)",
            page_after / page_before,
            "faster than before",
            page_after < page_before,
        )


if __name__ == "__main__":
    main()
