"""Backup → restore round trip on a small database: counts and checksums per table, the audit
chain after restore, and the refusals (foreign/corrupt archive, non-empty target)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
import pytest

from portal.cli import migrate
from portal.services.compliance import backups
from portal.services.core.errors import Conflict, InvalidInput
from tests.conftest import ScratchDatabase

TENANT = "01900000-0000-7000-8000-000000000001"


@pytest.fixture(scope="module")
def small_db(server_url: str):
    """A migrated database of its own with one tenant's few rows (and their audit chain)."""
    db = ScratchDatabase(server_url)
    db.create()
    migrate(db.owner_url)
    with psycopg.connect(db.superuser_conninfo, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO tenants (id, name, type) VALUES (%s, 'Drill', 'agency')", (TENANT,)
        )
        with conn.transaction():
            conn.execute("SELECT set_config('app.tenant_id', %s, true)", (TENANT,))
            for title in ("One", "Two", "Three"):
                conn.execute(
                    "INSERT INTO projects (tenant_id, client_name, title) VALUES (%s, 'C', %s)",
                    (TENANT, title),
                )
    yield db
    db.drop()


@pytest.fixture(scope="module")
def backup(small_db, tmp_path_factory) -> backups.Backup:
    return backups.create_backup(
        url=small_db.superuser_conninfo, directory=tmp_path_factory.mktemp("backups")
    )


def test_backup_writes_archive_and_manifest(backup: backups.Backup) -> None:
    manifest = json.loads(backup.manifest.read_text())
    assert manifest["format"] == backups.FORMAT and manifest["archive"] == backup.archive.name
    assert manifest["tables"]["projects"]["rows"] == 3
    assert manifest["tables"]["audit_logs"]["rows"] == 3
    assert len(manifest["tables"]["projects"]["checksum"]) == 32
    assert backups.read_manifest(backup.archive)["archive_sha256"] == manifest["archive_sha256"]


def test_restore_drill_round_trip_matches_counts_checksums_and_chain(
    small_db: ScratchDatabase, backup: backups.Backup
) -> None:
    result = backups.run_drill(archive=backup.archive, url=small_db.superuser_conninfo)
    assert result["archive"] == backup.archive.name
    assert result["tables"] == len(backup.tables) and result["chains_verified"] == 1
    with psycopg.connect(small_db.superuser_conninfo) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'portal_drill_%'")
        assert left.fetchone()[0] == 0


def test_corrupt_and_foreign_archives_are_refused(backup: backups.Backup, tmp_path: Path) -> None:
    corrupt = tmp_path / backup.archive.name
    shutil.copy(backup.archive, corrupt)
    shutil.copy(backup.manifest, tmp_path / backup.manifest.name)
    with corrupt.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"XXXX")
    with pytest.raises(InvalidInput, match="corrupt or altered"):
        backups.restore_backup(archive=corrupt, target_url="postgresql://unused/db")
    foreign = tmp_path / "portal-foreign.dump"
    foreign.write_bytes(b"PGDMP not really")
    with pytest.raises(InvalidInput, match="not a portal backup"):
        backups.restore_backup(archive=foreign, target_url="postgresql://unused/db")


def test_a_non_empty_target_is_refused_and_left_alone(
    small_db: ScratchDatabase, backup: backups.Backup
) -> None:
    with pytest.raises(Conflict, match="not empty; nothing was restored"):
        backups.restore_backup(archive=backup.archive, target_url=small_db.superuser_conninfo)
    with psycopg.connect(small_db.superuser_conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM projects").fetchone()[0] == 3


def test_a_role_that_rls_limits_cannot_take_a_backup(small_db: ScratchDatabase, tmp_path) -> None:
    with pytest.raises(InvalidInput, match="BYPASSRLS"):
        backups.create_backup(url=small_db.owner_conninfo, directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("database")
def test_daily_job_backs_up_drills_and_ledgers_the_result(
    small_db: ScratchDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from portal.jobs import periodic
    from portal.settings import get_settings
    from tests.jobs.test_periodic import runs

    monkeypatch.setattr(get_settings(), "backup_database_url", small_db.superuser_conninfo)
    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)
    tick = int(time.time())
    periodic.backup_verification(timestamp=tick)
    [run] = runs("backup_verification", tick)
    assert run.result == "succeeded" and run.meta["chains_verified"] == 1
    assert run.meta["archive"].endswith(".dump") and run.meta["seconds"] >= 0
    assert (tmp_path / "backups" / run.meta["archive"]).is_file()


@pytest.mark.usefixtures("database")
def test_cli_restore_drill_without_a_backup_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from portal.cli import main
    from portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["restore-drill"])
    assert exit_info.value.code == 1
    assert "no backup to drill" in capsys.readouterr().err


def test_cli_restore_into_an_empty_database(
    server_url: str, backup: backups.Backup, capsys: pytest.CaptureFixture[str]
) -> None:
    from portal.cli import main

    target = ScratchDatabase(server_url)
    target.create()
    try:
        main(["restore", str(backup.archive), "--into", target.superuser_conninfo])
        assert "counts match" in capsys.readouterr().out
        with psycopg.connect(target.superuser_conninfo) as conn:
            assert conn.execute("SELECT count(*) FROM projects").fetchone()[0] == 3
        with pytest.raises(SystemExit):
            main(["restore", str(backup.archive), "--into", target.superuser_conninfo])
        assert "not empty" in capsys.readouterr().err
    finally:
        target.drop()
