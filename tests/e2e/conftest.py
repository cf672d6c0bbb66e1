"""Browser tests: the production build served by `reflex run --env prod` on a free port,
against the test database, driven by Playwright in Debian's chromium (headless)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal.settings import ROOT
from tests.conftest import ScratchDatabase

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def server_env(database: ScratchDatabase, port: int, **extra: str) -> dict[str, str]:
    """The environment of an app server started by a test: this venv first on PATH, the test
    database, the port as public URL, Reflex offline, no in-process job worker (job tests drive
    their own workers); `extra` adds or overrides."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database.owner_url,
        "PORTAL_PORT": str(port),
        "PORTAL_URL": f"http://localhost:{port}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PORTAL_INPROCESS_WORKER": "false",
        **extra,
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def wait_until_up(base: str, proc: subprocess.Popen, log_path: Path, timeout: float = 300) -> None:
    """Until the server answers /ping and /login; fails the test (with the log's tail) when it
    exits or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (_answers(f"{base}/ping") and _answers(f"{base}/login")):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            pytest.fail(f"the app did not start; see {log_path}:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)


def stop(proc: subprocess.Popen) -> None:
    """End a server started with start_new_session=True, with everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def serving(database: ScratchDatabase, log_name: str = "e2e-server.log") -> Iterator[str]:
    """The production build served on a free port against `database`; yields its base URL."""
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = server_env(database, port)
    log_path = ROOT / ".portal" / log_name
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                str(bin_dir / "reflex"),
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://localhost:{port}"
    try:
        wait_until_up(base, proc, log_path)
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def app_url(database: ScratchDatabase) -> Iterator[str]:
    """Serve the app on a free port until the session ends."""
    with serving(database) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROME_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
