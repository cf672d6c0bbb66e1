"""Resumable uploads (issue 22): the portal's /api/tus/ vs the reference tus server.

The reference is the Node tus server (`@tus/server` + `@tus/file-store` from npm, installed by
this bench into .portal/bench-tus-node with the venv's npm; never committed). Both receive the
same file from the same client (tuspy, the tus project's Python client) with the same chunk size,
in interleaved rounds (the machine's load changes within seconds); medians and their ratio.
Goals: portal throughput >= 0.8x the reference's, server peak RSS <= 250 MB; and the resume:
the portal is killed (SIGKILL) at 50% of an upload, restarted, and the client resumes: bytes
sent again <= one chunk, the stored file byte-identical (SHA-256) to the source.

Defaults are small so `make bench` stays quick: BENCH_TUS_MB=256 (BENCH_TUS_MB=2048 for the
2 GB figure), BENCH_TUS_CHUNK_MB=64, BENCH_TUS_ROUNDS=3. Loopback only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench._report import goal
from bench._support import free_port
from bench.uploads import (
    _granian,
    _make_file,
    _peak_rss_mb,
    _vary,
    _wait_for,
    load,
    run_in_scratch,
)
from portal.settings import ROOT

SIZE_MB = int(os.environ.get("BENCH_TUS_MB", "256"))
CHUNK = int(os.environ.get("BENCH_TUS_CHUNK_MB", "64")) * 1024 * 1024
ROUNDS = int(os.environ.get("BENCH_TUS_ROUNDS", "3"))
NODE_PACKAGES = ["@tus/server@2.4.5", "@tus/file-store@2.1.1"]
NODE_DIR = ROOT / ".portal" / "bench-tus-node"
NODE_SERVER = """
const http = require("http");
const { Server } = require("@tus/server");
const { FileStore } = require("@tus/file-store");
const [port, directory] = process.argv.slice(2);
const tus = new Server({ path: "/files", datastore: new FileStore({ directory }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), "127.0.0.1");
"""


def _node_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def install_reference() -> Path:
    """@tus/server and @tus/file-store in a scratch folder (npm, once); the server script."""
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    if not (NODE_DIR / "node_modules" / "@tus" / "file-store").is_dir():
        subprocess.run(
            [_node_bin("npm"), "install", "--no-save", "--no-package-lock", "--no-audit"]
            + ["--no-fund", "--silent", *NODE_PACKAGES],
            cwd=NODE_DIR,
            check=True,
        )
    script = NODE_DIR / "server.js"
    script.write_text(NODE_SERVER)
    return script


def _tus_upload(url: str, source: Path, headers: dict[str, str], metadata: dict) -> float:
    from tusclient.client import TusClient

    client = TusClient(url, headers=headers)
    uploader = client.uploader(file_path=str(source), chunk_size=CHUNK, metadata=metadata)
    began = time.perf_counter()
    uploader.upload()
    return time.perf_counter() - began


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 * 1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


class Portal:
    """The portal's routes under granian (one worker), restartable on the same port."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.env = {**os.environ, "MEDIA_DIR": str(work / "media")}
        self.env["PORTAL_INPROCESS_WORKER"] = "false"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [*_granian(self.port), "--factory", "portal.api:build_api"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
        )
        _wait_for(self.port)
        deadline = time.monotonic() + 60
        while not self._answers():  # the port may accept before the worker serves
            if time.monotonic() > deadline:
                raise RuntimeError("the portal did not start")
            time.sleep(0.1)

    def _answers(self) -> bool:
        import requests

        try:
            url = f"http://127.0.0.1:{self.port}/api/tus/"
            return requests.options(url, timeout=5).status_code == 204
        except requests.RequestException:
            return False

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)


def tus_bench(work: Path) -> None:
    from portal.services.accounts.auth import SESSION_COOKIE, sign_in
    from tests.factories import PASSWORD, make_studio

    studio = make_studio()
    token = sign_in(email=studio.admin.email, password=PASSWORD).token
    auth = {"Cookie": f"{SESSION_COOKIE}={token}"}
    meta = {"project_id": str(studio.project.id), "title": "Bench", "filename": "bench.mp4"}
    source = work / "source.mp4"
    _make_file(source, SIZE_MB)
    subprocess.run(["sync", str(source)], check=True)
    script = install_reference()
    print(f"load average before: {load()}", flush=True)

    (work / "node-files").mkdir()
    node_port = free_port()
    # Its own process group: the venv's `node` is a Python launcher that starts the real one.
    node = subprocess.Popen(
        [_node_bin("node"), str(script), str(node_port), str(work / "node-files")],
        cwd=NODE_DIR,
        start_new_session=True,
    )
    portal = Portal(work)
    node_times, portal_times = [], []
    try:
        portal.start()
        _wait_for(node_port)
        for _ in range(ROUNDS):
            _vary(source)
            node_url = f"http://127.0.0.1:{node_port}/files"
            node_times.append(_tus_upload(node_url, source, {}, {"filename": "bench.mp4"}))
            for stored in (work / "node-files").iterdir():  # one copy on disk at a time
                stored.unlink()
            _vary(source)
            url = f"http://127.0.0.1:{portal.port}/api/tus/"
            portal_times.append(_tus_upload(url, source, auth, meta))
            shutil.rmtree(work / "media", ignore_errors=True)  # one copy on disk at a time
        portal_peak = _peak_rss_mb(portal.proc.pid) if portal.proc else 0.0
        node_peak = _peak_rss_mb(node.pid)  # the launcher and the node it started
        resent, identical = resume_after_kill(portal, work, source, auth, meta, studio)
    finally:
        portal.stop()
        os.killpg(node.pid, signal.SIGTERM)
        node.wait(10)
    size_mb = source.stat().st_size / 1024 / 1024
    node_rate = size_mb / statistics.median(node_times)
    portal_rate = size_mb / statistics.median(portal_times)
    print(
        f"(tus: {size_mb:.0f} MB in {CHUNK // 1024 // 1024} MB chunks, {ROUNDS} rounds; portal "
        + ", ".join(f"{size_mb / t:.0f}" for t in portal_times)
        + " MB/s; @tus/server "
        + ", ".join(f"{size_mb / t:.0f}" for t in node_times)
        + f" MB/s; reference peak RSS {node_peak:.0f} MB; load average after: {load()})",
        flush=True,
    )
    goal(
        f"tus upload throughput ({size_mb:.0f} MB)",
        f"{portal_rate:.0f} MB/s",
        f"@tus/server + file-store {node_rate:.0f} MB/s",
        portal_rate / node_rate,
        ">= 0.8x the reference",
        portal_rate / node_rate >= 0.8,
    )
    goal(
        "tus server peak RSS",
        f"{portal_peak:.0f} MB",
        f"@tus/server {node_peak:.0f} MB",
        None,
        "<= 250 MB",
        portal_peak <= 250,
    )
    same = "identical" if identical else "DIFFERS"
    goal(
        "tus resume after a kill at 50%",
        f"{resent / 1024 / 1024:.1f} MB sent again, SHA-256 {same}",
        f"one chunk = {CHUNK / 1024 / 1024:.0f} MB",
        None,
        "<= one chunk, byte-identical",
        resent <= CHUNK and identical,
    )


def resume_after_kill(
    portal: Portal, work: Path, source: Path, auth: dict, meta: dict, studio
) -> tuple[int, bool]:
    """Kill the portal (SIGKILL) once half the file is on its disk, restart it, resume with
    the same client: (bytes the client sent again, whether the stored file is identical)."""
    from tusclient.client import TusClient

    from portal.db import tenant_session
    from portal.models import Asset

    _vary(source)
    client = TusClient(f"http://127.0.0.1:{portal.port}/api/tus/", headers=auth)
    first = client.uploader(file_path=str(source), chunk_size=CHUNK, metadata=meta)
    first.set_url(first.create_url())
    part = work / "media" / "incoming" / "tus" / f"{first.url.rsplit('/', 1)[1]}.part"
    size = source.stat().st_size
    failed: list[BaseException] = []

    def send() -> None:
        try:
            first.upload()
        except BaseException as exc:  # the server dies under it: expected
            failed.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    while not (part.exists() and part.stat().st_size >= size // 2):
        if not sender.is_alive():
            raise RuntimeError("the upload ended before the server was killed")
        time.sleep(0.01)
    on_disk = part.stat().st_size
    portal.kill()
    sender.join(60)
    portal.start()
    resumed = client.uploader(file_path=str(source), url=first.url, chunk_size=CHUNK)
    start_at = resumed.offset
    resent = max(0, on_disk - start_at)
    resumed.upload()
    expected = _sha256(source)
    with tenant_session(studio.admin_ctx) as session:
        asset = session.query(Asset).filter(Asset.storage_checksum == expected).one_or_none()
    # The server's MEDIA_DIR (this process's settings do not name it).
    folder = work / "media" / str(studio.agency.id) / str(asset.id) if asset else None
    stored = next(iter(sorted(folder.glob("source.*"))), None) if folder else None
    print(
        f"(resume: killed with {on_disk / 1024 / 1024:.1f} MB on disk, the restarted server "
        f"had {start_at / 1024 / 1024:.1f} MB stored; the client went on from there)",
        flush=True,
    )
    return resent, stored is not None and _sha256(stored) == expected


def main() -> None:
    run_in_scratch("bench-tus", tus_bench)


if __name__ == "__main__":
    main()
