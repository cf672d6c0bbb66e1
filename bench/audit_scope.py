"""A studio admin's audit page across 1,001 tenants, without the 16-minute large data set.

The small data set has 11 tenants, too few to show how the planner sizes an RLS scope: it
assumes ten tenants for `tenant_id = ANY (InitPlan)`, which is nearly everything at 11 tenants
and 1 % at 1,001. This bench copies the small database (`portal_bench_small_scope`), adds 990
agencies managed by the studio and spreads the other agencies' audit rows over all 1,001
tenants (as the superuser, triggers off; the copy is for plans only, its hash chains no longer
verify), then times the studio admin's audit pages (runtime role, RLS) under the current read
policy (0015: `coalesce(<scope check>, false)`) against the earlier bare `<scope check>` in the
same run (in alternating blocks of runs: changing a policy is DDL). `BENCH_SCALE` is ignored:
the copy is always made from the small set.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import psycopg

from bench import _data
from bench._report import goal
from bench._timing import RUNS, p95
from portal.db import TenantContext, tenant_session
from portal.services.compliance.audit_log import audit_page, page_query, parse_filters
from portal.services.core.locale import today

COPY = "portal_bench_small_scope"
EXTRA_TENANTS = 990
GOAL_MS = 100.0
BLOCKS = 5
SCOPE = "tenant_id = ANY ((SELECT app_tenant_scope())::uuid[])"
BEFORE, AFTER = SCOPE, f"coalesce({SCOPE}, false)"


def _copy(data: _data.Dataset) -> str:
    """The copy's superuser conninfo, after building it (every run starts afresh)."""
    with psycopg.connect(data.superuser, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {COPY}")
        conn.execute(f"CREATE DATABASE {COPY} TEMPLATE portal_bench_small OWNER {_data.OWNER}")
    superuser = _data._conninfo(data.superuser, COPY)
    with psycopg.connect(superuser, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(
            "INSERT INTO tenants (id, name, type, managed_by) SELECT uuid_generate_v7(),"
            " 'scope bench ' || g, 'agency', %s FROM generate_series(1, %s) g",
            (data.studio, EXTRA_TENANTS),
        )
        conn.execute(
            "UPDATE audit_logs SET tenant_id = (SELECT array_agg(id) FROM tenants)"
            "[1 + floor(random() * (SELECT count(*) FROM tenants))::int] WHERE tenant_id <> %s",
            (data.tenant,),
        )
        conn.execute("ANALYZE")
    return superuser


def _policy(superuser: str, qual: str) -> None:
    with psycopg.connect(superuser, autocommit=True) as conn:
        conn.execute(f"ALTER POLICY tenant_read ON audit_logs USING ({qual})")


def main() -> None:
    data = _data.ensure("small")
    superuser = _copy(data)
    _data._use(_data._conninfo(data.superuser, COPY, _data.OWNER))
    ctx = TenantContext(tenant_id=data.studio, user_id=data.studio_admin, admin_scope=True)
    end = today()
    year = {"from": str(end - timedelta(days=365)), "to": str(end)}
    cases = {
        "first page (30 days)": {},
        "a year of share-link inserts": year | {"entity_type": "share_links", "action": "insert"},
        "a year of share-link deletes (no rows)": year
        | {"entity_type": "share_links", "action": "delete"},
    }
    print(f"{COPY}: 1,001 tenants, 100,000 audit rows", flush=True)
    for name, params in cases.items():

        def page(params=params) -> None:  # type: ignore[no-untyped-def]
            with tenant_session(ctx) as session:
                audit_page(session=session, filters=parse_filters(session=session, params=params))

        # The policy is DDL, so not a call-by-call alternation: blocks of runs, alternated.
        samples: dict[str, list[float]] = {BEFORE: [], AFTER: []}
        for _ in range(BLOCKS):
            for qual, into in samples.items():
                _policy(superuser, qual)
                page()  # warm-up after the policy change (plans are rebuilt)
                for _ in range(max(1, RUNS // BLOCKS)):
                    start = time.perf_counter()
                    page()
                    into.append(time.perf_counter() - start)
        base, measured = p95(samples[BEFORE]), p95(samples[AFTER])
        medians = [statistics.median(samples[q]) * 1000 for q in (AFTER, BEFORE)]
        print(f"  {name}: median {medians[0]:.1f} ms, earlier policy {medians[1]:.1f} ms")
        goal(
            f"audit page p95, studio admin over 1,001 tenants, {name}",
            f"{measured:.1f} ms",
            f"{base:.1f} ms (earlier policy, same run)",
            measured / base,
            f"≤ {GOAL_MS:.0f} ms at 100,000 rows",
            measured <= GOAL_MS,
        )
        for qual, label in ((BEFORE, "earlier policy"), (AFTER, "current policy")):
            _policy(superuser, qual)
            print(f"    {label}: {_plan_summary(ctx, params)}", flush=True)
    _policy(superuser, AFTER)


def _plan_summary(ctx: TenantContext, params: dict[str, str]) -> str:
    """The page's plan in one line: buffers touched, and whether it sorted or walked an index."""
    with tenant_session(ctx) as session:
        statement = page_query(parse_filters(session=session, params=params))
        compiled = statement.compile(dialect=session.get_bind().dialect)
        cursor = session.connection().connection.cursor()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}", compiled.params)
        lines = [row[0] for row in cursor.fetchall()]
    buffers = next((line.strip() for line in lines if "Buffers:" in line), "")
    shape = "sort" if any("Sort Key" in line for line in lines) else "index walk, no sort"
    tenant_index = any("tenant" in line and "Index Scan on" in line for line in lines)
    scope = "tenant index used for the scope" if tenant_index else "scope filtered per row"
    return f"{shape}; {scope}; {buffers}"


if __name__ == "__main__":
    main()
