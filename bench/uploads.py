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
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

from bench._support import free_port
from bench.dashboard import setup
from portal import db
from portal.settings import ROOT

UPLOAD_MB = int(os.environ.get("BENCH_UPLOAD_MB", "256"))


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


def upload_bench(work: Path) -> None:
    from portal.services.auth import SESSION_COOKIE, sign_in
    from tests.factories import PASSWORD
    from tests.services.conftest import make_studio

    studio = make_studio()
    cookie = f"{SESSION_COOKIE}={sign_in(email=studio.admin.email, password=PASSWORD).token}"
    source = work / "source.mp4"
    _make_file(source, UPLOAD_MB)
    began = time.perf_counter()
    # Both sides end with the file on disk: cp then fsync, as the app fsyncs before answering.
    subprocess.run(["cp", str(source), str(work / "copy.mp4")], check=True)
    subprocess.run(["sync", str(work / "copy.mp4")], check=True)
    cp_seconds = time.perf_counter() - began

    port = free_port()
    env = {**os.environ, "MEDIA_DIR": str(work / "media"), "PORTAL_INPROCESS_WORKER": "false"}
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    server = subprocess.Popen([*command, "--factory", "portal.api:build_api"], cwd=ROOT, env=env)
    try:
        _wait_for(port)
        query = f"project_id={studio.project.id}&title=Bench&filename=bench.mp4"
        status, app_seconds = _put(port, source, query, cookie)
        peak = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    size_mb = source.stat().st_size / 1024 / 1024
    app_rate, cp_rate = size_mb / app_seconds, size_mb / cp_seconds
    print(f"upload of {size_mb:.0f} MB through the app: HTTP {status}, {app_seconds:.2f} s")
    print(
        f"upload throughput: measured {app_rate:.0f} MB/s, baseline cp {cp_rate:.0f} MB/s, "
        f"ratio {app_rate / cp_rate:.2f}, goal >= 0.80"
    )
    print(f"server peak RSS: {peak:.0f} MB (goal <= 250 MB: ratio {peak / 250:.2f})")


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def main() -> None:
    from portal.embedded_pg import start_embedded

    server = start_embedded(ROOT / ".portal", cluster="bench-pgdata", keep_running=False)
    name, _ = setup(server)
    work = ROOT / ".portal" / f"bench-uploads-{uuid.uuid4().hex[:6]}"
    work.mkdir(parents=True)
    try:
        upload_bench(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        db.reset_engines()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


if __name__ == "__main__":
    main()
