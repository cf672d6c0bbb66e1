"""The demo `make run` loads (`portal setup`), on a scratch database: every demo deliverable has
real versions, processed by the normal local pipeline to Ready with a poster and renditions that
play; a second run changes nothing, and a placeholder left by an older demo is dropped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from portal.demo import DELIVERABLE, DEMO_PROJECTS, VERSIONS
from portal.integrations.media_local import probe
from tests.conftest import ScratchDatabase

LIVE = (
    "SELECT a.id, a.tenant_id, p.title, a.title, a.status, a.duration"
    " FROM assets a JOIN projects p ON p.id = a.project_id"
    " WHERE a.status <> 'deleted' ORDER BY p.title, a.version"
)


def setup(env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "portal"), "setup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture()
def scratch(server_url: str) -> ScratchDatabase:
    target = ScratchDatabase(server_url)
    target.create()
    yield target
    target.drop()


def test_demo_versions_are_ready_and_play(scratch: ScratchDatabase, tmp_path: Path) -> None:
    media = tmp_path / "media"
    env = {**os.environ, "DATABASE_URL": scratch.owner_url, "MEDIA_DIR": str(media)}
    env.pop("APP_DATABASE_URL", None)
    assert "demo data: loaded" in setup(env)
    with psycopg.connect(scratch.superuser_conninfo, autocommit=True) as conn:
        live = conn.execute(LIVE).fetchall()
        expected = sorted(
            (title, DELIVERABLE.format(project=title))
            for projects in DEMO_PROJECTS.values()
            for _, title, _, _ in projects
            for _ in range(VERSIONS.get(title, 1))
        )
        assert sorted((row[2], row[3]) for row in live) == expected
        assert {row[4] for row in live} == {"ready"}
        for asset_id, tenant_id, _, _, _, duration in live:
            folder = media / str(tenant_id) / str(asset_id)
            assert duration > 0 and (folder / "poster.jpg").stat().st_size > 0
            assert probe(next(folder.glob("source.*"))).duration > 0
            rendition = probe(folder / "hls" / "720p" / "index.m3u8")
            assert rendition.duration > 0 and rendition.width == 1280
        # The agency hears of each new cut, as after any upload.
        heard = conn.execute(
            "SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id"
            " WHERE u.email = 'producer@harbourco.test' AND n.type = 'version_ready'"
        ).fetchone()[0]
        assert heard == 3  # two versions of the campaign, one of the timetable launch

        # An older demo left a version without a file, stuck in "Uploading": dropped on re-run.
        project_id, tenant_id = conn.execute(
            "SELECT id, tenant_id FROM projects WHERE title = 'Vintage Release Film'"
        ).fetchone()
        conn.execute(
            "INSERT INTO assets (id, tenant_id, project_id, title, version)"
            " SELECT gen_random_uuid(), %s, %s, 'Vintage Release Film — first cut',"
            " max(version) + 1 FROM assets WHERE project_id = %s",
            (tenant_id, project_id, project_id),
        )
    assert "demo data: already present" in setup(env)
    with psycopg.connect(scratch.superuser_conninfo, autocommit=True) as conn:
        assert conn.execute(LIVE).fetchall() == live
        assert conn.execute(
            "SELECT status FROM assets WHERE title = 'Vintage Release Film — first cut'"
        ).fetchone() == ("deleted",)
