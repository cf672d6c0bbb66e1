"""Direct uploads to Mux in a real browser: the app runs with the Mux backend pointed at the fake
Mux server; the file goes from the page to the fake's upload URL in chunks with a progress bar
(never through the portal), then signed webhooks drive the deliverable to ready, live.

The app process is a second backend serving a copy of the session app's prebuilt front end
(only its backend address patched), so no second front-end build is needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

from portal import routes
from portal.db import tenant_session
from portal.models import Asset
from portal.settings import ROOT
from tests.conftest import ScratchDatabase
from tests.e2e.conftest import _free_port, server_env, stop, wait_until_up
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio
from tests.fake_mux import FakeMux, running_fake_mux
from tests.jobs.support import drain_webhook_queue
from tests.webhook_support import mux_event, mux_request

CHUNK = 256 * 1024
# Runs the backend with the compiled front end mounted, as `reflex run --env prod` does after
# its build, but without building (the `--backend-only` run would not mount it).
LAUNCHER = (
    "import sys\n"
    "import reflex.utils.exec as ex\n"
    "from reflex_base import constants\n"
    "from reflex_base.environment import environment\n"
    "from reflex.reflex import _run\n"
    "run = ex.run_backend_prod\n"
    "ex.run_backend_prod = lambda h, p, level, mount=False: run(h, p, level, True)\n"
    "environment.REFLEX_COMPILE_CONTEXT.set(constants.CompileContext.RUN)\n"
    "environment.REFLEX_BACKEND_ONLY.set(True)\n"
    "mode = constants.RunningMode.BACKEND_ONLY\n"
    "_run(env=constants.Env.PROD, running_mode=mode, backend_port=int(sys.argv[1]))\n"
)


@dataclass
class MuxApp:
    url: str
    fake: FakeMux
    media: Path  # the app's media folder (uploads through the portal would land here)


def _copy_front_end(session_url: str, port: int) -> Path:
    """The session app's build, its backend address pointed at `port` (precompressed copies
    dropped, so the patched files are what is served)."""
    source = ROOT / ".web" / "build" / "client"
    work = ROOT / ".portal" / "web-mux"
    shutil.rmtree(work, ignore_errors=True)
    target = work / "build" / "client"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.gz"))
    old = session_url.split("//", 1)[1].encode()
    new = f"localhost:{port}".encode()
    for path in (target / "assets").glob("reflex-env-*.js"):
        path.write_bytes(path.read_bytes().replace(old, new))
    return work


@pytest.fixture(scope="module")
def mux_app(
    database: ScratchDatabase, app_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MuxApp]:
    port = _free_port()
    media = tmp_path_factory.mktemp("mux-media")
    work = _copy_front_end(app_url, port)
    with running_fake_mux() as (fake, mux_env):
        env = server_env(
            database,
            port,
            **mux_env,
            MUX_UPLOAD_CHUNK_BYTES=str(CHUNK),
            REFLEX_WEB_WORKDIR=str(work),
            MEDIA_DIR=str(media),
        )
        log_path = ROOT / ".portal" / "e2e-mux-server.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://localhost:{port}"
        try:
            wait_until_up(base, proc, log_path, timeout=120)
            yield MuxApp(base, fake, media)
        finally:
            stop(proc)


def _deliver(app: MuxApp, payload: dict) -> None:
    body, headers = mux_request(payload)
    request = urllib.request.Request(
        f"{app.url}/api/webhooks/mux", data=body, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202
    drain_webhook_queue()


def test_upload_goes_straight_to_mux_and_webhooks_make_it_ready(
    page, mux_app: MuxApp, tmp_path: Path
) -> None:
    s = make_studio()
    clip = tmp_path / "teaser.mp4"
    clip.write_bytes(os.urandom(2 * CHUNK + 12_345))  # three chunks

    open_login(page, mux_app.url)
    sign_in(page, s.admin.email, PASSWORD)
    page.wait_for_url(f"{mux_app.url}/")
    page.goto(mux_app.url + routes.project_url(str(s.project.id)))
    page.wait_for_selector("#mux-file")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__noReload = true")

    # The fake holds its answer to the last chunk: the bar shows the upload under way.
    mux_app.fake.hold_last_chunk = True
    page.fill("#upload-title", "Teaser")
    page.set_input_files("#mux-file", str(clip))
    page.click("#upload-button")
    page.wait_for_selector("#upload-progress")
    page.wait_for_function(
        "+document.getElementById('upload-percent').textContent.replace('%','') >= 50"
    )
    mux_app.fake.release.set()
    page.wait_for_selector("#upload-notice")
    assert page.locator("#upload-progress").count() == 0

    # The exact bytes arrived at Mux, from this page's origin, and none at the portal.
    [upload] = mux_app.fake.uploads.values()
    assert bytes(upload["bytes"]) == clip.read_bytes()
    assert upload["cors_origin"] == mux_app.url
    with tenant_session(s.admin_ctx) as session:
        [asset] = session.exec(select(Asset).where(Asset.project_id == s.project.id)).all()
    assert (asset.backend, asset.status, asset.size_bytes) == (
        "mux",
        "uploading",
        clip.stat().st_size,
    )
    assert not [p for p in mux_app.media.rglob("*") if p.is_file()]

    # Mux's webhooks: processing, then ready; the table follows without a reload.
    row = ".deliverable-row:has-text('Teaser') [data-status]"
    _deliver(mux_app, mux_event("video.upload.asset_created", asset_id=asset.id, mux_id="mx-1"))
    page.wait_for_selector(row.replace("[data-status]", "[data-status=processing]"))
    playback = [{"id": "signedPlayback1", "policy": "signed"}]
    ready = mux_event("video.asset.ready", asset_id=asset.id, mux_id="mx-1", playback_ids=playback)
    _deliver(mux_app, ready)
    page.wait_for_selector(row.replace("[data-status]", "[data-status=ready]"))
    assert page.evaluate("window.__noReload === true")
