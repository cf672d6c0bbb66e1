"""Dashboard and project-list latency on the shared data set, under RLS vs. the same calls
without RLS (the superuser), timed alternately.

Goals (issue 4): dashboard p95 ≤ 20 ms and ≤ 1.1× the no-RLS baseline; project list first page
p95 ≤ 100 ms. BENCH_SCALE=large is 1,000 agencies / 100,000 projects / 1,000,000 tasks (make
bench-data SCALE=large); the default small is 10 agencies with the same per-agency shape.
Run: `python -m bench dashboard`.
"""

from __future__ import annotations

import os
import uuid

import psycopg
from psycopg import sql
from sqlmodel import Session

from bench._data import ensure
from bench._report import goal
from bench._timing import measure, measure_pair, superuser_engine
from portal import db
from portal.db import TenantContext, tenant_session
from portal.services.projects.dashboard import DashboardFilters, load_dashboard
from portal.services.projects.projects import ProjectFilters, list_project_page
from portal.settings import get_settings

__all__ = ["main", "measure", "setup"]  # measure and setup are used by bench/uploads.py


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


def main() -> None:
    data = ensure()
    print(
        f"scale {data.scale}: {data.counts['projects']:,} projects, {data.counts['tasks']:,} tasks",
        flush=True,
    )
    tenant, engine = data.tenant, superuser_engine(data.superuser)
    filters = DashboardFilters(tenant_id=str(tenant))

    def rls() -> None:
        with tenant_session(TenantContext(tenant_id=tenant)) as session:
            load_dashboard(session=session, filters=filters)

    def no_rls() -> None:  # the superuser bypasses RLS: the same queries, no policies
        with Session(engine) as session, session.begin():
            load_dashboard(session=session, filters=filters)

    def listing() -> None:
        with tenant_session(TenantContext(tenant_id=tenant)) as session:
            list_project_page(session=session, filters=ProjectFilters())

    def listing_no_rls() -> None:
        with Session(engine) as session, session.begin():
            list_project_page(session=session, filters=ProjectFilters(tenant_id=str(tenant)))

    with_rls, without = measure_pair(rls, no_rls)
    goal(
        "dashboard p95 under RLS",
        f"{with_rls:.1f} ms",
        f"{without:.1f} ms (superuser, no RLS)",
        with_rls / without,
        "≤ 20 ms and ratio ≤ 1.10",
        with_rls <= 20 and with_rls / without <= 1.10,
    )
    pages, pages_without = measure_pair(listing, listing_no_rls)
    goal(
        "project list first page p95 under RLS",
        f"{pages:.1f} ms",
        f"{pages_without:.1f} ms (superuser, no RLS)",
        pages / pages_without,
        "≤ 100 ms",
        pages <= 100,
    )
    engine.dispose()


if __name__ == "__main__":
    main()
