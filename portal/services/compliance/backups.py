"""Backups (pg_dump custom format + manifest), restores into empty databases, restore drills.

A backup is taken inside one REPEATABLE READ transaction whose snapshot pg_dump shares
(`--snapshot`), so the manifest's row counts and checksums describe exactly what is in the
archive. Restores refuse a foreign or corrupt archive and a target that is not empty, and run in a
single transaction, so a failure leaves the target as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import create_engine

from portal.db import libpq_conninfo, owner_url
from portal.services.compliance import backup_tools
from portal.services.compliance.audit_chain import verify_tenant_chain
from portal.services.core.errors import Conflict, InvalidInput
from portal.settings import get_settings

FORMAT = "portal-backup/1"
KEEP = 7
PG_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class Backup:
    """A written archive and its manifest."""

    archive: Path
    manifest: Path
    size: int
    tables: dict[str, dict[str, Any]]


def conninfo_of(value: str) -> str:
    """A libpq conninfo for a URL (postgresql://, postgresql+psycopg://) or a conninfo string."""
    return libpq_conninfo(value) if "://" in value else value


def backup_conninfo(url: str | None = None) -> str:
    """libpq conninfo of the backup role (BACKUP_DATABASE_URL, else the owner URL)."""
    return conninfo_of(url or get_settings().backup_database_url or owner_url())


def backups_dir() -> Path:
    return get_settings().portal_data_dir / "backups"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=PG_TIMEOUT_SECONDS)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise InvalidInput(f"{Path(command[0]).name}: {last[:300]}")


def create_backup(*, url: str | None = None, directory: Path | None = None) -> Backup:
    """pg_dump (custom format) plus a manifest of per-table row counts and checksums."""
    conninfo, directory = backup_conninfo(url), directory or backups_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"portal-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    archive, manifest = directory / f"{stem}.dump", directory / f"{stem}.manifest.json"
    partial = archive.with_suffix(".dump.part")
    # autocommit: the explicit BEGIN below owns the snapshot pg_dump shares.
    with psycopg.connect(conninfo, autocommit=True) as conn:
        backup_tools.require_full_read(conn)
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        major = backup_tools.server_major(conn)
        pg_dump = backup_tools.pg_binary("pg_dump", major)
        try:
            _run([str(pg_dump), "-Fc", f"--snapshot={snapshot}", "-f", str(partial), conninfo])
            tables = backup_tools.fingerprints(conn)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        version = conn.execute("SHOW server_version").fetchone()[0]
    os.replace(partial, archive)
    body = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "archive": archive.name,
        "archive_sha256": _sha256(archive),
        "archive_bytes": archive.stat().st_size,
        "server_version": version,
        "pg_dump_major": backup_tools.binary_major(pg_dump),
        "tables": tables,
    }
    manifest.write_text(json.dumps(body, indent=2, sort_keys=True))
    _prune(directory)
    return Backup(archive, manifest, body["archive_bytes"], tables)


def _prune(directory: Path) -> None:
    """Keep the newest KEEP backups."""
    for old in sorted(directory.glob("portal-*.dump"))[:-KEEP]:
        old.unlink(missing_ok=True)
        old.with_name(old.name.replace(".dump", ".manifest.json")).unlink(missing_ok=True)


def latest_backup(directory: Path | None = None) -> Path | None:
    archives = sorted((directory or backups_dir()).glob("portal-*.dump"))
    return archives[-1] if archives else None


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest, after checking it names this archive and its checksum matches."""
    manifest = archive.with_name(archive.name.removesuffix(".dump") + ".manifest.json")
    try:
        body = json.loads(manifest.read_text())
    except (OSError, ValueError):
        raise InvalidInput(
            f"{archive.name} is not a portal backup (no readable manifest)."
        ) from None
    if (
        not isinstance(body, dict)
        or body.get("format") != FORMAT
        or body.get("archive") != archive.name
    ):
        raise InvalidInput(f"{archive.name} is not a portal backup (foreign manifest).")
    if not archive.is_file() or _sha256(archive) != body.get("archive_sha256"):
        raise InvalidInput(f"{archive.name} is corrupt or altered (checksum mismatch).")
    return body


def restore_backup(*, archive: str | Path, target_url: str) -> dict[str, dict[str, Any]]:
    """Restore into an empty database and check every table's rows and checksum."""
    path = Path(archive)
    manifest = read_manifest(path)
    conninfo = conninfo_of(target_url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if not backup_tools.is_empty(conn):
            raise Conflict("The target database is not empty; nothing was restored.")
        pg_restore = backup_tools.pg_binary("pg_restore", backup_tools.server_major(conn))
    _run([str(pg_restore), "--list", str(path)])
    _run([str(pg_restore), "--exit-on-error", "--single-transaction", "-d", conninfo, str(path)])
    with psycopg.connect(conninfo, autocommit=True) as conn:
        restored = backup_tools.fingerprints(conn)
    differ = sorted(t for t in manifest["tables"] if manifest["tables"][t] != restored.get(t))
    if differ:
        raise InvalidInput(f"Restored tables differ from the manifest: {', '.join(differ)}.")
    return restored


def run_drill(*, archive: Path | None = None, url: str | None = None) -> dict[str, Any]:
    """Restore the latest backup into a scratch database; compare and verify; drop it."""
    started = time.monotonic()
    archive = archive or latest_backup()
    if archive is None:
        raise InvalidInput("There is no backup to drill; run `portal backup` first.")
    server = backup_conninfo(url)
    scratch = f"portal_drill_{uuid.uuid4().hex[:12]}"
    target = psycopg.conninfo.make_conninfo(server, dbname=scratch)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        tables = restore_backup(archive=archive, target_url=target)
        chains = verify_restored_chains(target)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch))
            )
    if chains["broken"]:
        raise InvalidInput(f"Restored audit chains are broken for: {', '.join(chains['broken'])}.")
    return {
        "archive": archive.name,
        "backup_created_at": read_manifest(archive)["created_at"],
        "tables": len(tables),
        "rows": sum(int(t["rows"]) for t in tables.values()),
        "chains_verified": chains["verified"],
        "seconds": round(time.monotonic() - started, 2),
    }


def backup_and_drill(*, url: str | None = None) -> dict[str, Any]:
    """The daily job's work: take a backup, then restore-drill exactly that archive."""
    backup = create_backup(url=url)
    result = run_drill(archive=backup.archive, url=url)
    return {**result, "archive_bytes": backup.size}


def verify_restored_chains(conninfo: str) -> dict[str, Any]:
    """Every tenant's audit chain in a restored database (read as the backup role)."""
    parts = psycopg.conninfo.conninfo_to_dict(conninfo)
    engine = create_engine("postgresql+psycopg://", connect_args=parts)
    broken: list[str] = []
    try:
        with engine.connect() as conn:
            tenants = [r[0] for r in conn.exec_driver_sql("SELECT id FROM tenants ORDER BY id")]
            for tenant_id in tenants:
                if not verify_tenant_chain(session=conn, tenant_id=tenant_id).intact:
                    broken.append(str(tenant_id))
    finally:
        engine.dispose()
    return {"verified": len(tenants), "broken": broken}
