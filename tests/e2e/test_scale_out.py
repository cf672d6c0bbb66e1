"""Scale-out: 2 backend workers sharing Redis, 2 `portal worker` job processes, one database.

Sign-in, a live bell across workers (the commenter's websocket on one worker, the recipient's on
the other, as each tab's bell reports the worker its events run on), Reflex state
surviving a move to the other worker, an upload processed by a job worker, and a periodic job
running once per tick with two job workers. Skipped only when no Redis answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import select

from portal.db import tenant_session
from portal.models import Asset, JobRun
from portal.routes import project_url
from portal.services.projects.milestones import create_milestone
from portal.services.projects.tasks import create_task
from portal.settings import ROOT
from tests.conftest import ScratchDatabase
from tests.e2e.conftest import _free_port, server_env, stop, wait_until_up
from tests.e2e.test_sign_in import open_login, sign_in
from tests.factories import PASSWORD, make_studio, make_user

REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKERS = 2


def _redis_answers() -> bool:
    import redis

    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class Scaled:
    url: str
    started: float
    media: Path


@pytest.fixture(scope="module")
def scaled(database: ScratchDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    """The app with 2 backend workers (own front-end build dir) and 2 job worker processes."""
    if not _redis_answers():
        pytest.skip(f"no Redis answers at {REDIS_URL} (set SCALE_REDIS_URL): scale-out not tested")
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    media = tmp_path_factory.mktemp("scale-media")
    env = server_env(
        database,
        port,
        # The front end is built for one port: a build directory of its own, so the session's
        # single-worker server (tests/e2e/conftest.py) keeps its own.
        REFLEX_WEB_WORKDIR=str(ROOT / ".portal" / "web-scale"),
        REDIS_URL=REDIS_URL,
        GRANIAN_WORKERS=str(WORKERS),
        MEDIA_DIR=str(media),
    )
    log_path = ROOT / ".portal" / "e2e-scale-server.log"
    started = time.time()
    with open(log_path, "w") as log:
        app = subprocess.Popen(
            [str(bin_dir / "reflex"), "run", "--env", "prod"]
            + ["--frontend-port", str(port), "--backend-port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        jobs = [
            subprocess.Popen(
                [str(bin_dir / "portal"), "worker", "--concurrency", "2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for _ in range(WORKERS)
        ]
    base = f"http://localhost:{port}"
    try:
        wait_until_up(base, app, log_path)
        yield Scaled(base, started, media)
    finally:
        for proc in [app, *jobs]:
            stop(proc)


def _worker(page) -> str:
    """The backend worker holding the page's websocket, as the bell's start handler saw it."""
    page.wait_for_function("document.querySelector('[data-worker]')?.dataset.worker")
    return page.get_attribute("[data-worker]", "data-worker")


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _count_is(page, n: int) -> None:
    page.wait_for_function(f"document.querySelector('#bell-count')?.innerText === '{n}'")


def _on_other_worker(page, avoid: str) -> str:
    """Reload until the page's websocket is on a worker other than `avoid` (the kernel picks
    which worker accepts a connection; each reload is a new connection, same Reflex token)."""
    for _ in range(30):
        page.reload()
        try:
            page.wait_for_function(
                f"(document.querySelector('[data-worker]')?.dataset.worker || '{avoid}')"
                f" !== '{avoid}'",
                timeout=3_000,
            )
        except PlaywrightTimeout:
            continue  # the same worker accepted it again (or the bell is not up yet)
        # A late delta from the tab's previous socket can still land: take the worker only once
        # the attribute has held a value other than `avoid` for a second.
        page.wait_for_timeout(1_000)
        worker = _worker(page)
        if worker != avoid:
            return worker
    pytest.fail(f"30 reloads, every websocket on worker {avoid}")


def test_two_workers_share_sessions_and_push_notifications_across_workers(
    browser,
    scaled: Scaled,
    clips,
) -> None:
    s = make_studio()
    bea = make_user(tenant=s.agency, name="Bea Reviewer", email=f"bea.{s.agency.id.hex}@a.test")
    with tenant_session(s.admin_ctx) as session:
        milestone = create_milestone(session=session, project_id=s.project.id, title="Edit")
        create_task(session=session, milestone_id=milestone.id, title="Grade", assignee_id=bea.id)

    bea_context, bea_page = _new_page(browser)
    ada_context, ada_page = _new_page(browser)
    try:
        # Bea signs in: her bell (one unread: the assignment) follows her socket's worker.
        open_login(bea_page, scaled.url)
        sign_in(bea_page, bea.email, PASSWORD)
        _count_is(bea_page, 1)
        bea_worker = _worker(bea_page)

        # Ada (studio admin) signs in; her tab is moved until its socket is on the other worker.
        open_login(ada_page, scaled.url)
        sign_in(ada_page, s.admin.email, PASSWORD)
        ada_worker = _worker(ada_page)
        if ada_worker == bea_worker:
            ada_worker = _on_other_worker(ada_page, bea_worker)
        assert ada_worker != bea_worker

        # Ada comments (handled by her worker); Bea's worker wakes Bea's bell, no reload.
        bea_page.evaluate("window.__noReload = true")
        ada_page.goto(f"{scaled.url}{project_url(str(s.project.id))}")
        ada_page.wait_for_load_state("networkidle")
        ada_page.locator(".task-row", has_text="Grade").locator("button:text('Comments')").click()
        ada_page.wait_for_selector("#comment-body")
        ada_page.fill("#comment-body", "Colour pass looks great")
        ada_page.click("#post-comment")
        ada_page.wait_for_selector(".comment")
        _count_is(bea_page, 2)
        assert bea_page.evaluate("window.__noReload") is True
        assert _worker(bea_page) == bea_worker  # same socket: pushed by Bea's own worker

        # Bea's tab moves to Ada's worker: same Reflex token, its state read from Redis.
        assert _on_other_worker(bea_page, bea_worker) == ada_worker
        _count_is(bea_page, 2)
        assert bea_page.inner_text("#tenant-name") == s.agency.name

        # An upload is accepted by a backend worker and processed by a `portal worker`.
        body = clips["with_audio.mp4"].read_bytes()
        response = ada_context.request.put(
            f"{scaled.url}/api/media/uploads?project_id={s.project.id}"
            "&title=Scaled%20cut&filename=scaled.mp4",
            data=body,
            headers={"Origin": scaled.url, "Content-Type": "application/octet-stream"},
        )
        assert response.status == 201, response.text()
        asset_id = response.json()["asset_id"]
        deadline = time.monotonic() + 90
        while (status := _asset_status(s.admin_ctx, asset_id)) in ("uploading", "processing"):
            assert time.monotonic() < deadline, f"the upload stayed {status}"
            time.sleep(0.5)
        assert status == "ready"
    finally:
        bea_context.close()
        ada_context.close()


def _asset_status(ctx, asset_id: str) -> str:
    with tenant_session(ctx) as session:
        asset = session.get(Asset, asset_id)
        return asset.status if asset else "missing"


def test_two_job_workers_run_each_periodic_tick_once(scaled: Scaled) -> None:
    """Both `portal worker` processes schedule the every-minute webhook sweep; each tick runs
    once (procrastinate's unique periodic defer). The workers have run since the app started."""
    deadline = time.monotonic() + 90
    while not (ticks := _sweep_ticks(scaled.started)) and time.monotonic() < deadline:
        time.sleep(1)
    assert ticks, "no webhook_retry_sweep tick ran"
    assert len(ticks) == len(set(ticks)), f"a tick ran twice: {ticks}"


def _sweep_ticks(since: float) -> list[int]:
    with tenant_session(None) as session:
        rows = session.exec(select(JobRun).where(JobRun.job_name == "webhook_retry_sweep")).all()
    # Minute ticks from about when the workers started (a worker defers the latest tick when it
    # starts); direct calls in other tests use stamps that are not whole minutes.
    ticks = [int(r.meta["tick"]) for r in rows if "tick" in r.meta]
    return [t for t in ticks if t % 60 == 0 and t >= since - 60]
