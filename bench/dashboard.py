"""Dashboard and project-list latency at scale, under RLS vs. the same queries without RLS.

BENCH_SCALE=1 generates 1,000 tenants / 100,000 projects / 1,000,000 tasks (COPY); the default
0.02 (20 / 2,000 / 20,000) runs in a minute or two. Run: `python -m bench` or
`python -m bench.dashboard`. Prints p95s and the RLS/baseline ratio (target ≤ 1.1, p95 ≤ 20 ms;
project list first page ≤ 100 ms). A throwaway cluster in .portal/bench-pgdata is used.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta

import psycopg
from psycopg import sql
from sqlalchemy import create_engine
from sqlmodel import Session
from uuid_utils.compat import uuid7

from portal import db
from portal.db import TenantContext, tenant_session
from portal.services.dashboard import DashboardFilters, load_dashboard
from portal.services.projects import ProjectFilters, list_project_page
from portal.settings import ROOT, get_settings

PROJECTS_PER_TENANT, MILESTONES_PER_PROJECT, TASKS_PER_MILESTONE = 100, 3, 3
RUNS = int(os.environ.get("BENCH_RUNS", "50"))
TASK_STATUSES = ("pending", "in_progress", "in_review", "completed")


def _db(server: str, name: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(server) | {"dbname": name}
    if user:
        info["user"] = user
    return psycopg.conninfo.make_conninfo(**info)


def _sqlalchemy(conninfo: str) -> str:
    from sqlalchemy.engine import URL

    p = psycopg.conninfo.conninfo_to_dict(conninfo)
    host = str(p.get("host") or "")
    return URL.create(
        "postgresql+psycopg",
        username=p.get("user"),
        database=p.get("dbname"),
        host=None if host.startswith("/") else host or None,
        port=int(p["port"]) if p.get("port") else None,
        query={"host": host} if host.startswith("/") else {},
    ).render_as_string(hide_password=False)


def setup(server: str) -> tuple[str, str]:
    """A fresh migrated database; returns (database name, superuser conninfo)."""
    from portal.cli import migrate

    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'portal_owner'").fetchone():
            conn.execute("CREATE ROLE portal_owner LOGIN NOSUPERUSER CREATEROLE")
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER portal_owner").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = _sqlalchemy(_db(server, name, "portal_owner"))
    get_settings.cache_clear()
    db.reset_engines()
    migrate(os.environ["DATABASE_URL"])
    return name, _db(server, name)


def generate(conninfo: str, scale: float) -> list[uuid.UUID]:
    """Tenants, projects, milestones and tasks by COPY (triggers off: this is bulk loading)."""
    tenants = [uuid7() for _ in range(max(1, round(1000 * scale)))]
    today, rnd = date.today(), random.Random(7)
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        with cur.copy("COPY tenants (id, name, type) FROM STDIN") as copy:
            for i, t in enumerate(tenants):
                copy.write_row((t, f"Agency {i}", "agency"))
        with (
            cur.copy(
                "COPY projects (id, tenant_id, client_name, title, status, start_date, "
                "end_date) FROM STDIN"
            ) as projects,
        ):
            plan = []
            for t in tenants:
                for p in range(PROJECTS_PER_TENANT):
                    pid, start = uuid7(), today - timedelta(days=rnd.randint(0, 200))
                    status = rnd.choice(("active", "active", "planning", "completed", "on_hold"))
                    projects.write_row(
                        (
                            pid,
                            t,
                            f"Client {p % 17}",
                            f"Project {p}",
                            status,
                            start,
                            start + timedelta(days=300),
                        )
                    )
                    plan.append((t, pid, start))
        _children(cur, plan, rnd)
        conn.commit()
        cur.execute("ANALYZE")
    return tenants


def _children(cur, plan, rnd) -> None:  # type: ignore[no-untyped-def]
    milestones, tasks = [], []
    for t, pid, start in plan:
        for m in range(MILESTONES_PER_PROJECT):
            mid, due = uuid7(), start + timedelta(days=60 * (m + 1))
            milestones.append(
                (mid, t, pid, f"Phase {m}", due, rnd.choice(("pending", "completed")), m)
            )
            for k in range(TASKS_PER_MILESTONE + (1 if m == 0 else 0)):
                status = rnd.choice(TASK_STATUSES)
                done = "2026-01-01T00:00:00Z" if status == "completed" else None
                tasks.append((uuid7(), t, mid, f"Task {k}", status, due - timedelta(days=k), done))
    with cur.copy(
        "COPY milestones (id, tenant_id, project_id, title, due_date, status, sequence) FROM STDIN"
    ) as copy:
        for row in milestones:
            copy.write_row(row)
    with cur.copy(
        "COPY tasks (id, tenant_id, milestone_id, title, status, due_date, completed_at) FROM STDIN"
    ) as copy:
        for row in tasks:
            copy.write_row(row)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000 if len(samples) > 1 else samples[0] * 1000


def measure(run) -> float:  # type: ignore[no-untyped-def]
    run()  # warm-up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return p95(samples)


def main() -> None:
    from portal.embedded_pg import start_embedded

    scale = float(os.environ.get("BENCH_SCALE", "0.02"))
    server = start_embedded(ROOT / ".portal", cluster="bench-pgdata", keep_running=False)
    name, superuser = setup(server)
    try:
        started = time.perf_counter()
        tenants = generate(superuser, scale)
        print(
            f"generated {len(tenants)} tenants, {len(tenants) * PROJECTS_PER_TENANT} projects, "
            f"{len(tenants) * PROJECTS_PER_TENANT * 10} tasks in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        _report(tenants[len(tenants) // 2], superuser)
    finally:
        db.reset_engines()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _report(tenant: uuid.UUID, superuser: str) -> None:
    filters = DashboardFilters(tenant_id=str(tenant))
    baseline_engine = create_engine(_sqlalchemy(superuser))

    def rls() -> None:
        with tenant_session(TenantContext(tenant_id=tenant)) as session:
            load_dashboard(session=session, filters=filters)

    def no_rls() -> None:  # a superuser bypasses RLS: the same queries, no policies
        with Session(baseline_engine) as session, session.begin():
            load_dashboard(session=session, filters=filters)

    def project_list() -> None:
        with tenant_session(TenantContext(tenant_id=tenant)) as session:
            list_project_page(session=session, filters=ProjectFilters())

    with_rls, without = measure(rls), measure(no_rls)
    listing = measure(project_list)
    baseline_engine.dispose()
    print(f"dashboard p95 under RLS: {with_rls:.1f} ms (target 20 ms: ratio {with_rls / 20:.2f})")
    print(f"dashboard p95 without RLS: {without:.1f} ms")
    print(f"RLS / no-RLS ratio: {with_rls / without:.2f} (target <= 1.10)")
    print(
        f"project list first page p95: {listing:.1f} ms (target 100 ms: ratio {listing / 100:.2f})"
    )


if __name__ == "__main__":
    main()
