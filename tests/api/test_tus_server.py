"""/api/tus/ on a real HTTP server (granian, as in production, in its own process): the tus
project's Python client (tuspy) uploads through it; the server is killed mid-upload and
restarted, and the upload resumes from the stored offset to a byte-identical file; two PATCHes of
one upload at once are serialised."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import pytest
import requests
from tusclient.client import TusClient

from portal.db import tenant_session
from portal.models import Asset
from portal.services.accounts.auth import SESSION_COOKIE, sign_in
from portal.services.media.storage import source_path
from portal.settings import ROOT
from tests.conftest import ScratchDatabase
from tests.e2e.conftest import server_env, stop
from tests.factories import PASSWORD, Studio

from .test_tus_api import TUS, metadata

pytestmark = pytest.mark.usefixtures("database")
CHUNK = 256 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(base: str) -> bool:
    try:
        return requests.options(f"{base}/api/tus/", timeout=2).status_code == 204
    except requests.RequestException:
        return False


class Server:
    """portal.api's routes served by granian on one port; `restart()` kills and starts it."""

    def __init__(self, database: ScratchDatabase, media_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = server_env(database, self.port, MEDIA_DIR=str(media_dir))
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        granian = Path(sys.executable).parent / "granian"
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [str(granian), "--interface", "asgi", "--host", "127.0.0.1"]
                + ["--port", str(self.port), "--factory", "portal.api:build_api"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while not _up(self.base):  # waits on the server answering, nothing else
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        """Gone at once (SIGKILL): no shutdown code runs, as when a machine dies."""
        assert self.proc is not None
        os.killpg(self.proc.pid, 9)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            stop(self.proc)


@contextmanager
def serving(database: ScratchDatabase, media_dir: Path, tmp_path: Path) -> Iterator[Server]:
    server = Server(database, media_dir, tmp_path / "granian.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def server(database: ScratchDatabase, media_dir: Path, tmp_path: Path) -> Iterator[Server]:
    with serving(database, media_dir, tmp_path) as running:
        yield running


def cookie(studio: Studio) -> dict[str, str]:
    token = sign_in(email=studio.admin.email, password=PASSWORD).token
    return {"Cookie": f"{SESSION_COOKIE}={token}"}


def source_file(tmp_path: Path, clips: dict[str, Path], size: int) -> Path:
    """A file that sniffs as a video (a real clip first), padded with random bytes."""
    head = clips["with_audio.mp4"].read_bytes()
    path = tmp_path / "master.mp4"
    path.write_bytes(head + os.urandom(max(0, size - len(head))))
    return path


def placed_sha256(studio: Studio, asset_id: UUID) -> str:
    path = source_path(studio.agency.id, asset_id)
    assert path is not None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def asset_with_checksum(studio: Studio, checksum: str) -> Asset:
    with tenant_session(studio.admin_ctx) as session:
        found = session.query(Asset).filter(Asset.storage_checksum == checksum).all()
    assert len(found) == 1
    return found[0]


def test_tuspy_uploads_and_resumes_after_a_server_kill(
    server: Server, studio: Studio, clips, tmp_path: Path
) -> None:
    source = source_file(tmp_path, clips, 12 * CHUNK + 1234)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    client = TusClient(f"{server.base}/api/tus/", headers=cookie(studio))
    meta = {"project_id": str(studio.project.id), "title": "Master", "filename": "master.mp4"}
    first = client.uploader(
        file_path=str(source), chunk_size=CHUNK, metadata=meta, upload_checksum=True
    )
    first.upload(stop_at=6 * CHUNK)  # half, in chunks with a sha1 Upload-Checksum each
    assert first.offset == 6 * CHUNK and first.url is not None

    server.kill()
    server.start()

    # The official client asks the restarted server for the offset (HEAD) and goes on.
    resumed = client.uploader(
        file_path=str(source), url=first.url, chunk_size=CHUNK, upload_checksum=True
    )
    assert resumed.offset == 6 * CHUNK  # nothing re-sent
    resumed.upload()
    asset = asset_with_checksum(studio, expected)
    assert asset.status == "processing" and asset.size_bytes == source.stat().st_size
    assert placed_sha256(studio, asset.id) == expected


def _open_patch(base: str, url: str, headers: dict[str, str], length: int) -> socket.socket:
    """A PATCH whose headers and declared length are sent, its body still to come."""
    sock = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=60)
    lines = [f"PATCH {url} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def _status_of(sock: socket.socket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        data = sock.recv(4096)
        if not data:
            break
        answer += data
    sock.close()
    return int(answer.split(b" ", 2)[1])


def _until_stored(part: Path, size: int) -> None:
    """Until the server has written `size` bytes of the body to the upload's file."""
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size >= size):
        assert time.monotonic() < deadline, "the server never wrote the first bytes"
        time.sleep(0.05)


def test_kill_mid_patch_resumes_from_the_stored_offset_and_patches_are_serialised(
    server: Server, studio: Studio, clips, tmp_path: Path, media_dir: Path
) -> None:
    data = source_file(tmp_path, clips, 8 * CHUNK).read_bytes()
    auth = cookie(studio)
    meta = metadata(project_id=str(studio.project.id), title="Cut", filename="cut.mp4")
    created = requests.post(
        f"{server.base}/api/tus/",
        headers={**TUS, **auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    part = media_dir / "incoming" / "tus" / f"{url.rsplit('/', 1)[1]}.part"
    octets = {**TUS, **auth, "Content-Type": "application/offset+octet-stream"}
    first = requests.patch(
        f"{server.base}{url}",
        data=data[: 2 * CHUNK],
        headers={**octets, "Upload-Offset": "0"},
        timeout=60,
    )
    assert first.status_code == 204 and first.headers["upload-offset"] == str(2 * CHUNK)

    # A PATCH streams its next chunk; while it holds the upload, a second PATCH gets 423.
    sock = _open_patch(server.base, url, {**octets, "Upload-Offset": str(2 * CHUNK)}, 2 * CHUNK)
    sock.sendall(data[2 * CHUNK : 3 * CHUNK])
    _until_stored(part, 3 * CHUNK)
    busy = requests.patch(
        f"{server.base}{url}",
        data=data[2 * CHUNK : 4 * CHUNK],
        headers={**octets, "Upload-Offset": str(2 * CHUNK)},
        timeout=60,
    )
    assert busy.status_code == 423
    sock.sendall(data[3 * CHUNK : 4 * CHUNK])
    assert _status_of(sock) == 204

    # The next PATCH is cut by the server's death (SIGKILL) half-way through its body.
    sock = _open_patch(server.base, url, {**octets, "Upload-Offset": str(4 * CHUNK)}, 2 * CHUNK)
    sock.sendall(data[4 * CHUNK : 5 * CHUNK])
    _until_stored(part, 5 * CHUNK)
    server.kill()
    sock.close()
    server.start()

    head = requests.head(f"{server.base}{url}", headers={**TUS, **auth}, timeout=30)
    offset = int(head.headers["upload-offset"])
    assert 4 * CHUNK <= offset <= 5 * CHUNK  # at most the cut chunk is sent again
    rest = requests.patch(
        f"{server.base}{url}",
        data=data[offset:],
        headers={**octets, "Upload-Offset": str(offset)},
        timeout=60,
    )
    assert rest.status_code == 204, rest.text
    asset_id = UUID(rest.headers["portal-asset-id"])
    assert placed_sha256(studio, asset_id) == hashlib.sha256(data).hexdigest()
    assert not part.exists()
