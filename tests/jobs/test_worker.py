"""The in-app worker (lifespan task): on by default, off with PORTAL_INPROCESS_WORKER=false;
supervised, so a crash is logged with its traceback and the worker restarted with backoff."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterator

import pytest

from portal.db import tenant_session
from portal.integrations import worker_status
from portal.jobs import worker
from portal.jobs.worker import Supervisor, inprocess_worker
from portal.models import WebhookEvent
from portal.services.operations.webhooks import ingest_webhook_event
from portal.settings import get_settings
from tests.jobs.support import run_async

pytestmark = pytest.mark.usefixtures("database")
# Generous cap on waiting for a real worker's work (it normally takes well under a second).
PATIENCE = 30.0


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Stop(BaseException):
    """Ends a supervisor loop from its backoff (not an Exception: the supervisor lets it out)."""


def queued_event() -> uuid.UUID:
    row_id = ingest_webhook_event(
        source="mux", event_id=str(uuid.uuid4()), payload={"type": "video.live_stream.idle"}
    )
    assert row_id is not None
    return row_id


def status_of(row_id: uuid.UUID) -> str:
    with tenant_session(None) as session:
        return session.get(WebhookEvent, row_id).status


@pytest.fixture()
def inprocess(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """Set PORTAL_INPROCESS_WORKER for one test (settings re-read, restored afterwards)."""

    def set_enabled(enabled: bool) -> None:
        monkeypatch.setenv("PORTAL_INPROCESS_WORKER", "true" if enabled else "false")
        get_settings.cache_clear()

    yield set_enabled
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture()
def start_hooks(monkeypatch: pytest.MonkeyPatch) -> list:
    hooks: list = []
    monkeypatch.setattr(worker, "start_hooks", hooks)
    return hooks


def test_disabled_worker_never_starts(inprocess, start_hooks) -> None:
    inprocess(False)
    started: list[int] = []
    start_hooks.append(lambda: started.append(1))
    row_id = queued_event()

    async def main() -> tuple[object, int]:
        async with inprocess_worker():
            return worker_status.current_job_worker, len(asyncio.all_tasks())

    current, tasks = run_async(main)
    assert current is None and tasks == 1  # no supervisor, no task beside this one
    assert started == [] and status_of(row_id) == "received"


def test_enabled_worker_processes_queued_events(inprocess, start_hooks) -> None:
    inprocess(True)
    row_id = queued_event()

    async def main() -> str:
        async with inprocess_worker():
            assert worker_status.current_job_worker is not None
            loop = asyncio.get_running_loop()
            deadline = loop.time() + PATIENCE
            while status_of(row_id) == "received" and loop.time() < deadline:
                await asyncio.sleep(0.05)
            return status_of(row_id)

    assert run_async(main) == "ignored"
    assert worker_status.current_job_worker is None  # cleared when the app stops


def test_a_crashed_worker_is_logged_and_restarted(
    inprocess, start_hooks, caplog: pytest.LogCaptureFixture
) -> None:
    inprocess(True)
    pauses: list[float] = []

    async def no_wait(seconds: float) -> None:
        pauses.append(seconds)

    async def main() -> int:
        restarted = asyncio.Event()
        calls: list[int] = []

        def fault() -> None:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("injected worker fault")
            restarted.set()

        start_hooks.append(fault)
        async with inprocess_worker(sleep=no_wait, clock=Clock()):
            await asyncio.wait_for(restarted.wait(), PATIENCE)
            return worker_status.current_job_worker.restarts

    with caplog.at_level(logging.ERROR, logger="portal.jobs.worker"):
        restarts = run_async(main)
    assert restarts == 1 and pauses == [1.0]
    crash = [r for r in caplog.records if r.name == "portal.jobs.worker"]
    assert [r.getMessage() for r in crash] == ["in-process job worker crashed; restarting in 1 s"]
    assert crash[0].exc_info is not None
    assert isinstance(crash[0].exc_info[1], RuntimeError)
    assert "injected worker fault" in caplog.text and "Traceback" in caplog.text


def test_backoff_grows_with_each_crash_and_resets_after_a_steady_run() -> None:
    clock, pauses = Clock(), []
    runs: list[float] = []

    async def crashing() -> None:
        runs.append(clock.now)
        if len(runs) == 5:
            clock.now += worker.STEADY_SECONDS  # this run lasted a while before it crashed
        raise OSError("injected: connection lost")

    async def record(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 6:
            raise Stop

    supervisor = Supervisor(run=crashing, sleep=record, clock=clock)
    with pytest.raises(Stop):
        run_async(supervisor.supervise)
    assert pauses == [1.0, 2.0, 5.0, 15.0, 1.0, 2.0]
    assert (
        supervisor.restarts == 5 and supervisor.last_error == "OSError: injected: connection lost"
    )


def test_heartbeat_goes_stale_while_the_worker_is_down() -> None:
    clock = Clock()
    supervisor = Supervisor(run=lambda: asyncio.sleep(0), clock=clock)
    assert not supervisor.alive()  # never beat
    supervisor.beat()
    clock.now += worker.STALE_SECONDS
    assert supervisor.alive()
    clock.now += 0.5
    assert not supervisor.alive() and supervisor.heartbeat_age() == worker.STALE_SECONDS + 0.5
