"""The shared benchmark data set: `make bench-data SCALE=small|large`, reused by every benchmark.

    large: 1,000 agencies (+ the studio), 100,000 projects, 400,000 milestones, 1,000,000 tasks,
           100,000 assets, 100,000 share links, 1,000,000 comments, 10,000,000 audit rows over
           13 monthly partitions
    small: the same per agency, 10 agencies (1/100)

It lives in a migrated database `portal_bench_<scale>` on the embedded bench cluster
(.portal/bench-pgdata in the checkout) or on the server of BENCH_DATABASE_URL (a superuser URL),
owned by `portal_owner` like a real install; benchmarks connect as the runtime role under RLS.
`ensure()` reuses it when its recorded revision is the current head (else it is migrated; a
missing or unfinished one is generated again). A finished load is recorded in the database's
comment, so an interrupted load is never mistaken for a complete one.

Loading: COPY as the superuser with `session_replication_role = replica`, which skips triggers
and foreign-key checks, and with the tables' secondary indexes dropped and rebuilt afterwards.
What the skipped triggers would have done is done by the generator instead (bench/_rows.py,
bench/_audit_rows.py): audit rows and their hash chain are written directly, share-link
statuses follow the status trigger's rule, comment parents exist in the comment's tenant, and
the search table (comment_search) is filled from the comments in one statement.
After the load every foreign key is checked with one anti-join each, and sample tenants' audit
chains are verified with the portal's own verifier.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import psycopg
from psycopg import sql

from bench import _rows
from bench._audit_rows import COLUMNS as AUDIT_COLUMNS
from bench._audit_rows import AuditChains
from portal.settings import ROOT, get_settings

OWNER = "portal_owner"
SCALES = {"small": 10, "large": 1000}  # agencies
MARK = "portal bench data "
INVALID_INDEXES = "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"
AUDIT_MONTHS = 13
COPY_COLUMNS = {
    "tenants": "id, name, type, managed_by",
    "users": "id, tenant_id, role, email, name, status",
    "projects": "id, tenant_id, client_name, title, status, start_date, end_date, created_by",
    "milestones": "id, tenant_id, project_id, title, due_date, status, sequence",
    "tasks": "id, tenant_id, milestone_id, assignee_id, title, status, due_date, completed_at",
    "assets": "id, tenant_id, project_id, uploader_id, title, version, status, frame_rate, "
    "width, height, duration",
    "share_links": "id, tenant_id, asset_id, hashed_token, expires_at, status, created_by",
    "comments": "id, tenant_id, parent_type, parent_id, author_id, body, metadata, created_at",
    "audit_logs": AUDIT_COLUMNS,
    "audit_chain_heads": "tenant_id, seq, head_hash",
}


@dataclass(frozen=True)
class Dataset:
    """A loaded data set and how to reach it."""

    scale: str
    superuser: str  # libpq conninfo of the bench database as the server's superuser
    owner: str  # … as portal_owner (migrations)
    studio: UUID  # the admin tenant managing every agency
    studio_admin: UUID
    tenant: UUID  # a sample agency, the one benchmarks measure
    counts: dict[str, int]


def scale_name(scale: str | None = None) -> str:
    name = scale or os.environ.get("BENCH_SCALE", "small")
    if name not in SCALES:
        raise SystemExit(f"BENCH_SCALE / SCALE must be one of {', '.join(SCALES)}; got {name!r}")
    return name


def _server() -> str:
    from portal.embedded_pg import start_embedded

    return os.environ.get("BENCH_DATABASE_URL") or start_embedded(
        ROOT / ".portal", cluster="bench-pgdata", keep_running=False
    )


def _conninfo(server: str, dbname: str, user: str | None = None) -> str:
    from tests.conftest import _with_db

    return _with_db(server, dbname, user)


def _use(owner: str) -> None:
    """Point the portal's settings (owner and runtime engines) at the bench database."""
    from portal import db
    from tests.conftest import libpq_to_sqlalchemy

    os.environ["DATABASE_URL"] = libpq_to_sqlalchemy(owner)
    get_settings.cache_clear()
    db.reset_engines()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_current_head() or ""


def _meta(server: str, name: str) -> dict | None:
    with psycopg.connect(server, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
    if not row or not row[0] or not row[0].startswith(MARK):
        return None
    return json.loads(row[0][len(MARK) :])


def ensure(scale: str | None = None) -> Dataset:
    """The data set for `scale` (BENCH_SCALE, default small): reused, migrated or generated."""
    scale = scale_name(scale)
    server, name = _server(), f"portal_bench_{scale}"
    meta = _meta(server, name)
    if meta is None:
        print(f"bench data {name}: not found or unfinished; generating (make bench-data)")
        meta = generate(scale, server=server)
    owner = _conninfo(server, name, OWNER)
    _use(owner)
    if meta.get("revision") != _head():
        from portal.cli import migrate

        migrate(os.environ["DATABASE_URL"])
    return Dataset(
        scale=scale,
        superuser=_conninfo(server, name),
        owner=owner,
        studio=UUID(meta["studio"]),
        studio_admin=UUID(meta["studio_admin"]),
        tenant=UUID(meta["tenant"]),
        counts=meta["counts"],
    )


def _create(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (OWNER,)).fetchone():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(OWNER)))
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(OWNER)
            )
        )


def _copy(cur: psycopg.Cursor, table: str, lines: Iterable[str]) -> int:
    """COPY text lines into `table` in ~1 MB writes; returns the row count."""
    count, batch, size = 0, [], 0
    with cur.copy(f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN") as copy:
        for text in lines:
            batch.append(text)
            size += len(text)
            count += 1
            if size > 1 << 20:
                copy.write("".join(batch))
                batch, size = [], 0
        copy.write("".join(batch))
    return count


def _secondary_indexes(cur: psycopg.Cursor, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes that back no constraint, on the tables given."""
    return cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        (list(tables),),
    ).fetchall()


def _foreign_key_violations(cur: psycopg.Cursor, tables: Iterable[str]) -> list[str]:
    """Every foreign key on the loaded tables, checked with one anti-join each (the load
    skipped the checks); returns the constraints that do not hold."""
    keys = cur.execute(
        """
        SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
               array(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY o),
               array(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY o)
          FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         WHERE c.contype = 'f' AND c.conparentid = 0 AND t.relname = ANY(%s)
        """,
        (list(tables),),
    ).fetchall()
    broken = []
    for name, child, parent, cols, refs in keys:
        matches = sql.SQL(" AND ").join(
            sql.SQL("p.{} = c.{}").format(sql.Identifier(r), sql.Identifier(k))
            for k, r in zip(cols, refs, strict=True)
        )
        present = sql.SQL(" AND ").join(
            sql.SQL("c.{} IS NOT NULL").format(sql.Identifier(k)) for k in cols
        )
        query = sql.SQL(
            "SELECT EXISTS (SELECT 1 FROM {} c WHERE {}"
            " AND NOT EXISTS (SELECT 1 FROM {} p WHERE {}))"
        ).format(sql.SQL(child), present, sql.SQL(parent), matches)
        if cur.execute(query).fetchone()[0]:
            broken.append(f"{name} ({child} -> {parent})")
    return broken


def _tree(agencies: int, studio: str, rnd: random.Random) -> tuple[list, dict[str, list[str]]]:
    """Every agency's tenant, users and project tree as COPY lines (ids kept for later rows)."""
    tenants, lines = [], {t: [] for t in ("tenants", "users", "projects", "milestones")}
    lines |= {"tasks": [], "assets": [], "share_links": []}
    today = date.today()
    for index in range(agencies):
        row, tenant = _rows.tenant_lines(index, studio)
        lines["tenants"].append(row)
        lines["users"] += _rows.user_lines(tenant, index)
        for table, rows in _rows.project_tree_lines(tenant, rnd, today).items():
            lines[table] += rows
        tenants.append(tenant)
    return tenants, lines


def _month_start(moment: datetime, back: int) -> datetime:
    months = moment.year * 12 + moment.month - 1 - back
    return datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)


def _comments(tenants: list, rnd: random.Random, start: datetime, now: datetime) -> Iterator[str]:
    span = int((now - start).total_seconds())
    for tenant in tenants:
        yield from _rows.comment_lines(tenant, rnd, start, span)


def _load(cur: psycopg.Cursor, agencies: int) -> tuple[dict, dict[str, int]]:
    rnd, now = random.Random(7), datetime.now(UTC)
    audit_start = _month_start(now, AUDIT_MONTHS - 1)
    studio, admins = _rows.new_id(), [_rows.new_id() for _ in range(3)]
    tenants, lines = _tree(agencies, studio, rnd)
    lines["tenants"].insert(0, _rows.line(studio, "Bench studio", "admin", None))
    lines["users"] += [
        _rows.line(
            a, studio, "admin", f"studio.admin{i}@bench.example", f"Studio admin {i}", "active"
        )
        for i, a in enumerate(admins)
    ]
    counts, started = {}, time.perf_counter()
    for table, rows in lines.items():
        counts[table] = _copy(cur, table, rows)
        _progress(table, counts[table], started)
    del lines
    counts["comments"] = _copy(cur, "comments", _comments(tenants, rnd, audit_start, now))
    # What the comments_search trigger (off while loading) would have written.
    cur.execute(
        "INSERT INTO comment_search (comment_id, tenant_id, created_at, body_tsv)"
        " SELECT id, tenant_id, created_at, to_tsvector('english', body) FROM comments"
        " ORDER BY created_at"  # written over time, as a live system would
    )
    _progress("comments", counts["comments"], started)
    chains = AuditChains(tenants, admins)
    counts["audit_logs"] = _copy(
        cur, "audit_logs", chains.lines(agencies * _rows.AUDIT_ROWS, audit_start, now)
    )
    _progress("audit_logs", counts["audit_logs"], started)
    _copy(
        cur,
        "audit_chain_heads",
        (_rows.line(t, seq, head) for t, (seq, head) in chains.heads.items() if seq),
    )
    meta = {
        "studio": studio,
        "studio_admin": admins[0],
        "tenant": tenants[len(tenants) // 2].id,
        "samples": [tenants[0].id, tenants[-1].id],
    }
    return meta, counts


def _progress(table: str, rows: int, started: float) -> None:
    print(f"  {table}: {rows:,} rows (t+{time.perf_counter() - started:.0f} s)", flush=True)


def generate(scale: str | None = None, *, server: str | None = None) -> dict:
    """Create `portal_bench_<scale>` afresh: migrate, load, index, check, analyze, record."""
    from portal.cli import migrate

    scale = scale_name(scale)
    server = server or _server()
    name, agencies, began = f"portal_bench_{scale}", SCALES[scale], time.perf_counter()
    _create(server, name)
    owner = _conninfo(server, name, OWNER)
    _use(owner)
    migrate(os.environ["DATABASE_URL"])
    tables = [*COPY_COLUMNS, "comment_search"]
    with psycopg.connect(_conninfo(server, name)) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no triggers, no FK checks
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(OWNER)))
        now = datetime.now(UTC)
        for back in range(AUDIT_MONTHS):
            cur.execute("SELECT audit_create_partition(%s)", (_month_start(now, back).date(),))
        indexes = _secondary_indexes(cur, tables)
        for index, _ in indexes:
            cur.execute(f"DROP INDEX {index}")
        cur.execute("RESET ROLE")
        meta, counts = _load(cur, agencies)
        loaded = time.perf_counter()
        cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(OWNER)))
        for _, definition in indexes:
            # A partitioned table's definition reads ON ONLY (the parent alone): build them all.
            cur.execute(definition.replace(" ON ONLY ", " ON ", 1))
        cur.execute("RESET ROLE")
        print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - loaded:.0f} s")
        broken = _foreign_key_violations(cur, tables) + _orphan_comments(cur)
        broken += [f"index {i} not valid" for (i,) in cur.execute(INVALID_INDEXES).fetchall()]
        if broken:
            raise SystemExit(f"generated data breaks {', '.join(broken)}")
        conn.commit()
    with psycopg.connect(_conninfo(server, name), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    _verify_samples([UUID(t) for t in meta["samples"]])
    meta |= {
        "scale": scale,
        "counts": counts,
        "revision": _head(),
        "seconds": round(time.perf_counter() - began),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(MARK + json.dumps(meta))
            )
        )
    print(f"bench data {name}: {json.dumps(counts)} in {meta['seconds']} s", flush=True)
    return meta


def _orphan_comments(cur: psycopg.Cursor) -> list[str]:
    """The comment-parent trigger's rule: a comment's task or asset is in its tenant."""
    orphans = cur.execute(
        """
        SELECT count(*) FROM comments c
         WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE c.parent_type = 'task'
                             AND t.id = c.parent_id AND t.tenant_id = c.tenant_id)
           AND NOT EXISTS (SELECT 1 FROM assets a WHERE c.parent_type = 'asset'
                             AND a.id = c.parent_id AND a.tenant_id = c.tenant_id)
        """
    ).fetchone()[0]
    return [f"comments_parent ({orphans} orphan comments)"] if orphans else []


def _verify_samples(tenants: list[UUID]) -> None:
    """Sample tenants' audit chains through the portal's verifier (as the runtime role)."""
    from portal.services.compliance.audit_chain import verify_chains

    for report in verify_chains(tenants):
        if not report.intact:
            raise SystemExit(f"audit chain of {report.tenant_id}: {report.broken.describe()}")
        print(f"  audit chain of tenant {report.tenant_id}: {report.rows:,} rows verify")


if __name__ == "__main__":
    generate(sys.argv[1] if len(sys.argv) > 1 else None)
