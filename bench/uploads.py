"""Uploads through the app vs `cp` (comment search moved to bench/comment_search.py).

Goal (issue 5): a 2 GB upload through the app keeps the server's peak RSS <= 250 MB with
throughput >= 0.8x a plain `cp` of the same file on the same disk (same run).

Defaults are small so `make bench` stays quick: BENCH_UPLOAD_MB=256 (BENCH_UPLOAD_MB=2048 for
the 2 GB figure). Loopback only.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from bench._report import goal
from bench._support import free_port
from bench.dashboard import setup
from portal import db
from portal.settings import ROOT

UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "256"))
UPLOAD_ROUNDS = int(os.environ.get("BENCH_UPLOAD_ROUNDS", "3"))


def _make_file(path: Path, megabytes: int) -> None:
    """An MP4-looking file (the upload check sniffs the header) of incompressible bytes."""
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as f:
        f.write(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12)
        for _ in range(megabytes):
            f.write(block)


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a process and its children (granian's worker runs in a child)."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total = max(total, int(line.split()[1]) / 1024)
    return total


def _put(port: int, path: Path, query: str, cookie: str) -> tuple[int, float]:
    size = path.stat().st_size
    head = (
        f"PUT /api/media/uploads?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Length: {size}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    ).encode()
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock, open(path, "rb") as f:
        sock.sendall(head)
        sock.sendfile(f)
        status = int(sock.makefile("rb").readline().split()[1])
    return status, time.perf_counter() - began


def _cp_seconds(source: Path, target: Path) -> float:
    """`cp` then `sync` of the copy: the file is on disk at the end, as the app fsyncs it."""
    began = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    subprocess.run(["sync", str(target)], check=True)
    took = time.perf_counter() - began
    target.unlink()
    return took


def _vary(path: Path) -> None:
    """New last bytes: each round's upload is a new file to the app (no duplicate refusal)."""
    with open(path, "r+b") as f:
        f.seek(-16, os.SEEK_END)
        f.write(os.urandom(16))


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _granian(port: int) -> list[str]:
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "1"]
    return [*command, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]


def upload_bench(work: Path) -> None:
    """Rounds of `cp` and the app's upload of the same file, interleaved (the disk and the
    machine's load change within seconds): the median of each, and the ratio of medians."""
    from portal.services.accounts.auth import SESSION_COOKIE, sign_in
    from tests.factories import PASSWORD, make_studio

    studio = make_studio()
    cookie = f"{SESSION_COOKIE}={sign_in(email=studio.admin.email, password=PASSWORD).token}"
    source = work / "source.mp4"
    _make_file(source, UPLOAD_MB)
    subprocess.run(["sync", str(source)], check=True)
    print(f"load average before: {load()}")

    port = free_port()
    env = {**os.environ, "MEDIA_DIR": str(work / "media"), "PORTAL_INPROCESS_WORKER": "false"}
    server = subprocess.Popen(
        [*_granian(port), "--factory", "portal.api:build_api"], cwd=ROOT, env=env
    )
    sink_port = free_port()
    sink = subprocess.Popen([*_granian(sink_port), "bench._sink_app:app"], cwd=ROOT, env=env)
    cp_times, app_times, sink_times = [], [], []
    try:
        _wait_for(port)
        _wait_for(sink_port)
        query = f"project_id={studio.project.id}&title=Bench&filename=bench.mp4"
        for _ in range(UPLOAD_ROUNDS):
            cp_times.append(_cp_seconds(source, work / "copy.mp4"))
            _vary(source)
            status, took = _put(port, source, query, cookie)
            assert status == 201, f"upload answered HTTP {status}"
            app_times.append(took)
            shutil.rmtree(work / "media", ignore_errors=True)  # keep the disk use to one copy
            sink_times.append(_put(sink_port, source, "", "")[1])
        peak = _peak_rss_mb(server.pid)
    finally:
        for process in (server, sink):
            process.terminate()
            process.wait(timeout=10)
    size_mb = source.stat().st_size / 1024 / 1024
    cp_rate = size_mb / statistics.median(cp_times)
    app_rate = size_mb / statistics.median(app_times)
    sink_rate = size_mb / statistics.median(sink_times)
    print(
        f"(upload: {size_mb:.0f} MB, {UPLOAD_ROUNDS} rounds; app "
        + ", ".join(f"{size_mb / t:.0f}" for t in app_times)
        + " MB/s; cp + sync "
        + ", ".join(f"{size_mb / t:.0f}" for t in cp_times)
        + " MB/s; bare receive "
        + ", ".join(f"{size_mb / t:.0f}" for t in sink_times)
        + f" MB/s; load average after: {load()})"
    )
    goal(
        f"upload throughput ({size_mb:.0f} MB)",
        f"{app_rate:.0f} MB/s",
        f"cp + sync {cp_rate:.0f} MB/s",
        app_rate / cp_rate,
        ">= 0.8x cp",
        app_rate / cp_rate >= 0.8,
    )
    goal(
        "upload vs bare receive (reference)",
        f"{app_rate:.0f} MB/s",
        f"granian receiving and discarding {sink_rate:.0f} MB/s",
        app_rate / sink_rate,
        "none (the ceiling for any upload through this server)",
        None,
    )
    goal(
        "upload server peak RSS",
        f"{peak:.0f} MB",
        "—",
        None,
        "<= 250 MB",
        peak <= 250,
    )


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def run_in_scratch(prefix: str, bench: Callable[[Path], object]) -> None:
    """Run `bench` on a scratch database (embedded PostgreSQL) and a scratch work folder
    (.portal/<prefix>-<random>), both removed afterwards (shared by the upload benchmarks)."""
    from portal.embedded_pg import start_embedded

    server = start_embedded(ROOT / ".portal", cluster="bench-pgdata", keep_running=False)
    name, _ = setup(server)
    work = ROOT / ".portal" / f"{prefix}-{uuid.uuid4().hex[:6]}"
    work.mkdir(parents=True)
    try:
        bench(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        db.reset_engines()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    run_in_scratch("bench-uploads", upload_bench)


if __name__ == "__main__":
    main()
