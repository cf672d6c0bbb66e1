"""Benchmark plumbing for the whole portal: serve it (`reflex run --env prod`), seed users, sign in.

Used by bench/load_ws.py (backend only: no front-end build) and bench/browser.py (front end
built into a directory of its own, so a running `make run` or test server keeps its build).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from portal.settings import ROOT

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers(url: str = REDIS_URL) -> bool:
    import redis

    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def serve_portal(
    port: int,
    *,
    workers: int = 1,
    redis_url: str | None = None,
    backend_only: bool = False,
    web_dir: Path | None = None,
    log_name: str = "bench-portal.log",
    cwd: Path = ROOT,
    ready_path: str = "/login",
) -> Iterator[psutil.Process]:
    """A Reflex app (the portal by default, DATABASE_URL from the environment) on loopback;
    yields the server process."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PORTAL_PORT": str(port),
        "PORTAL_URL": f"http://localhost:{port}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_WEB_WORKDIR": str(web_dir or cwd / ".portal" / "web-bench"),
        "PORTAL_INPROCESS_WORKER": "false",
        "GRANIAN_WORKERS": str(workers),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    if backend_only:
        # What `reflex run --env prod --backend-only` would run (it refuses an rxconfig that
        # names a frontend port): granian over the app factory, no front-end compile.
        env |= {"REFLEX_ENV_MODE": "prod", "REFLEX_SKIP_COMPILE": "true"}
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory"]
        command += ["--workers", str(workers), "--host", "127.0.0.1", "--port", str(port)]
        command += ["--no-access-log", "portal.portal:app"]
    else:
        command = [str(bin_dir / "reflex"), "run", "--env", "prod"]
        command += ["--backend-port", str(port), "--frontend-port", str(port)]
    log_path = ROOT / ".portal" / log_name
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 400
        while not (_answers(f"{base}/ping") and (backend_only or _answers(base + ready_path))):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start; see {log_path}")
            time.sleep(0.5)
        yield psutil.Process(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def tree_rss(root: psutil.Process) -> int:
    """Resident memory of a process and all its children (the backend workers), in bytes."""
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


def session_cookies(count: int) -> list[str]:
    """`count` signed-in sessions: studio admins, each seeing a few agency projects."""
    from portal.services.accounts.auth import sign_in
    from tests.factories import PASSWORD
    from tests.services.conftest import make_studio

    cookies = []
    for _ in range(count):
        studio = make_studio()
        token = sign_in(email=studio.admin.email, password=PASSWORD).token
        cookies.append(f"portal_session={token}")
    return cookies
