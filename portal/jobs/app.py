"""The procrastinate app: jobs live in our own PostgreSQL, reached as the runtime role."""

from __future__ import annotations

from typing import Any

from procrastinate import App, PsycopgConnector
from psycopg_pool import AsyncConnectionPool

from portal.db import direct_url, libpq_conninfo

TASK_MODULES = [
    "portal.jobs.tasks",
    "portal.jobs.periodic",
    "portal.jobs.media",
    "portal.jobs.notifications",
]


def _pool(**kwargs: Any) -> AsyncConnectionPool:
    # The URL is read when the worker opens the app, not at import (tests change settings).
    # Direct, not pooled: workers LISTEN for new jobs (a transaction pooler would drop that).
    return AsyncConnectionPool(conninfo=libpq_conninfo(direct_url()), **kwargs)


job_app = App(
    connector=PsycopgConnector(pool_factory=_pool, min_size=1, max_size=6),
    import_paths=TASK_MODULES,
    worker_defaults={"delete_jobs": "successful"},
)
