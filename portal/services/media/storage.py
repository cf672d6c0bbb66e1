"""Upload storage: stream chunks to disk under the media root (never whole in memory), hash them,
enforce the size and type limits on the server, and remove every partial file on failure."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from uuid import UUID

from portal.services.core.errors import InvalidInput
from portal.settings import get_settings

MAX_FILENAME = 255
SNIFF_BYTES = 512
# Control characters, path separators and NUL: a file name is a name, never a path.
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class StoredUpload:
    """An upload safely on disk (in the incoming folder) with its facts."""

    path: Path
    filename: str
    size: int
    sha256: str


def media_root() -> Path:
    return get_settings().media_root


def asset_dir(tenant_id: UUID, asset_id: UUID) -> Path:
    """Where one asset's source, poster and HLS renditions live."""
    return media_root() / str(tenant_id) / str(asset_id)


def clean_filename(name: str | None, *, any_extension: bool = False) -> str:
    """The uploaded file's name, refused when it is empty, too long, a path or a hidden file
    (and, unless `any_extension`, when it does not end as a video type we accept)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("The file has no name.")
    if len(name) > MAX_FILENAME:
        raise InvalidInput(f"File names must be at most {MAX_FILENAME} characters.")
    if _BAD_NAME.search(name) or name.startswith(".") or ".." in name:
        raise InvalidInput("File names may not contain folders, “..” or control characters.")
    extension = Path(name).suffix.lower()
    allowed = get_settings().allowed_extensions
    if not any_extension and extension not in allowed:
        raise InvalidInput(
            f"“{extension or name}” is not a video type we accept ({', '.join(allowed)})."
        )
    return name


def looks_like_video(head: bytes) -> bool:
    """Container magic numbers of the accepted video types (the name alone proves nothing)."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return True  # ISO BMFF: MP4, MOV, M4V
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return True  # Matroska / WebM
    if head.startswith(b"RIFF") and head[8:11] == b"AVI":
        return True
    if head.startswith(b"\x06\x0e\x2b\x34"):
        return True  # MXF
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return True  # MPEG program stream
    return len(head) > 188 and head[0] == 0x47 and head[188] == 0x47  # MPEG transport stream


# Every this many bytes the writer asks the kernel to start writing the new range to disk
# (sync_file_range, Linux), so the fsync at the end finds little left to flush.
WRITEBACK_EVERY = 32 * 1024 * 1024
_SYNC_FILE_RANGE_WRITE = 2
WRITEV_MAX = 512  # buffers per writev call (IOV_MAX is 1024 on Linux)


def _writeback_starter() -> Callable[[int, int, int], object] | None:
    """libc's sync_file_range where there is one (Linux), else None (fsync does it all)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    return lambda fd, offset, length: function(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


_START_WRITEBACK = _writeback_starter()


class UploadWriter:
    """Write one upload chunk by chunk into the incoming folder; `abort()` leaves nothing.

    Use as a context manager: an exception (a limit, a cancelled upload) removes the file.
    Each chunk is hashed on the calling thread while a second thread writes it (both release
    the GIL), on a raw file descriptor (no buffer copy).
    """

    def __init__(self, filename: str | None, *, max_bytes: int | None = None) -> None:
        self.filename = clean_filename(filename)
        self.max_bytes = max_bytes or get_settings().upload_max_bytes
        incoming = media_root() / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        self.path = incoming / f"{uuid.uuid4().hex}.part"
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self._io = ThreadPoolExecutor(1, thread_name_prefix="upload-write")
        self._hash = hashlib.sha256()
        self._head = b""
        self._flushed = 0
        self.size = 0

    def write(self, data: bytes | bytearray | Sequence[bytes]) -> None:
        """Append a chunk (or several, written with one writev and never joined); refuses the
        upload as soon as it passes the size limit."""
        parts = [data] if isinstance(data, bytes | bytearray) else list(data)
        self.size += sum(len(part) for part in parts)
        if self.size > self.max_bytes:
            raise InvalidInput(f"The file is larger than the limit of {_human(self.max_bytes)}.")
        for part in parts:
            if len(self._head) >= SNIFF_BYTES:
                break
            self._head += bytes(part[: SNIFF_BYTES - len(self._head)])
        if self.size < 256 * 1024:  # small: no hand-off to the write thread
            self._write_all(parts)
            self._hash_all(parts)
            return
        written = self._io.submit(self._write_all, parts)
        self._hash_all(parts)
        written.result()

    def _hash_all(self, parts: list[bytes | bytearray]) -> None:
        for part in parts:
            self._hash.update(part)

    def _write_all(self, parts: list[bytes | bytearray]) -> None:
        assert self._fd is not None
        views = [memoryview(part) for part in parts if part]
        while views:
            done = os.writev(self._fd, views[:WRITEV_MAX])
            while views and done >= len(views[0]):  # drop what went out; a short write resumes
                done -= len(views[0])
                views.pop(0)
            if done:
                views[0] = views[0][done:]
        if _START_WRITEBACK and self.size - self._flushed >= WRITEBACK_EVERY:
            _START_WRITEBACK(self._fd, self._flushed, self.size - self._flushed)
            self._flushed = self.size

    def finish(self) -> StoredUpload:
        """Flush the file to disk after the last chunk (an accepted upload survives a crash);
        empty and non-video content is refused."""
        assert self._fd is not None
        os.fsync(self._fd)
        self._close()
        if self.size == 0:
            raise InvalidInput("The file is empty (0 bytes).")
        if not looks_like_video(self._head):
            raise InvalidInput("That file is not a video (its content does not match its name).")
        return StoredUpload(self.path, self.filename, self.size, self._hash.hexdigest())

    def _close(self) -> None:
        self._io.shutdown(wait=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def abort(self) -> None:
        self._close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> UploadWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        if exc_type is not None:
            self.abort()


# Chunks are gathered up to this size before hashing and writing off the event loop. Small on
# purpose: a batch is hashed and written while still in the CPU cache (measured: 256 KB uploads
# about 1.3x faster than 8 MB, and than the 1 MB of one-thread hash-then-write; BENCHMARKS.md).
WRITE_BATCH = 256 * 1024


async def store_stream(filename: str | None, chunks: AsyncIterable[bytes]) -> StoredUpload:
    """One upload from an async byte stream (an HTTP body, a browser's chunks) to the incoming
    folder, checked and hashed; any failure (a limit, a cancel, a lost client) leaves no file."""
    with UploadWriter(filename) as writer:
        await write_stream(writer, chunks)
        return await asyncio.to_thread(writer.finish)


class ChunkSink(Protocol):
    """Where write_stream puts batches: UploadWriter, or a resumable upload's appender."""

    def write(self, data: Sequence[bytes]) -> None: ...


async def write_stream(writer: ChunkSink, chunks: AsyncIterable[bytes]) -> None:
    """Feed an async byte stream to `writer` in batches, hashing and writing off the loop while
    the next batch is received (one batch in flight: memory stays at two batches). A batch is
    the received chunks themselves (written with writev), never joined into one buffer."""
    batch: list[bytes] = []
    size = 0
    pending: asyncio.Future[None] | None = None
    try:
        async for chunk in chunks:
            if not chunk:
                continue
            batch.append(chunk)
            size += len(chunk)
            if size >= WRITE_BATCH or len(batch) >= WRITEV_MAX:
                if pending is not None:
                    await pending
                pending = asyncio.ensure_future(asyncio.to_thread(writer.write, batch))
                batch, size = [], 0
        if pending is not None:
            await pending
            pending = None
        if batch:
            await asyncio.to_thread(writer.write, batch)
    finally:
        if pending is not None:  # an error while receiving: let the write end before cleanup
            with contextlib.suppress(Exception):
                await pending


def place_upload(stored: StoredUpload, *, tenant_id: UUID, asset_id: UUID) -> Path:
    """Move an upload into its asset's folder (same file system: a rename, no copy)."""
    target_dir = asset_dir(tenant_id, asset_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / ("source" + Path(stored.filename).suffix.lower())
    os.replace(stored.path, target)
    return target


def source_path(tenant_id: UUID, asset_id: UUID) -> Path | None:
    """The stored original of an asset, if any."""
    folder = asset_dir(tenant_id, asset_id)
    found = sorted(folder.glob("source.*")) if folder.is_dir() else []
    return found[0] if found else None


def check_declared_size(size: object) -> int:
    """A size the browser declares before a direct upload: a whole number of bytes, not 0 and
    not over the limit (the service receiving the bytes enforces the rest)."""
    if isinstance(size, bool) or not isinstance(size, int | float) or size != int(size):
        raise InvalidInput("The file's size is unknown; choose the file again.")
    size = int(size)
    if size <= 0:
        raise InvalidInput("The file is empty (0 bytes).")
    limit = get_settings().upload_max_bytes
    if size > limit:
        raise InvalidInput(f"The file is larger than the limit of {_human(limit)}.")
    return size


def remove_asset_files(tenant_id: UUID, asset_id: UUID) -> None:
    shutil.rmtree(asset_dir(tenant_id, asset_id), ignore_errors=True)


def _human(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"
