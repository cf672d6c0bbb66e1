"""Upload storage: stream chunks to disk under the media root (never whole in memory), hash them,
enforce the size and type limits on the server, and remove every partial file on failure."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from portal.services.errors import InvalidInput
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


def clean_filename(name: str | None) -> str:
    """The uploaded file's name, refused when it is empty, too long, a path or a hidden file."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("The file has no name.")
    if len(name) > MAX_FILENAME:
        raise InvalidInput(f"File names must be at most {MAX_FILENAME} characters.")
    if _BAD_NAME.search(name) or name.startswith(".") or ".." in name:
        raise InvalidInput("File names may not contain folders, “..” or control characters.")
    extension = Path(name).suffix.lower()
    allowed = get_settings().allowed_extensions
    if extension not in allowed:
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


class UploadWriter:
    """Write one upload chunk by chunk into the incoming folder; `abort()` leaves nothing.

    Use as a context manager: an exception (a limit, a cancelled upload) removes the file.
    """

    def __init__(self, filename: str | None, *, max_bytes: int | None = None) -> None:
        self.filename = clean_filename(filename)
        self.max_bytes = max_bytes or get_settings().upload_max_bytes
        incoming = media_root() / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        self.path = incoming / f"{uuid.uuid4().hex}.part"
        self._file = open(self.path, "xb")  # noqa: SIM115 (closed in finish/abort)
        self._hash = hashlib.sha256()
        self._head = b""
        self.size = 0

    def write(self, data: bytes | bytearray) -> None:
        """Append a chunk; refuses the upload as soon as it passes the size limit."""
        self.size += len(data)
        if self.size > self.max_bytes:
            raise InvalidInput(f"The file is larger than the limit of {_human(self.max_bytes)}.")
        if len(self._head) < SNIFF_BYTES:
            self._head += bytes(data[: SNIFF_BYTES - len(self._head)])
        self._hash.update(data)
        self._file.write(data)

    def finish(self) -> StoredUpload:
        """Flush the file to disk after the last chunk (an accepted upload survives a crash);
        empty and non-video content is refused."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        if self.size == 0:
            raise InvalidInput("The file is empty (0 bytes).")
        if not looks_like_video(self._head):
            raise InvalidInput("That file is not a video (its content does not match its name).")
        return StoredUpload(self.path, self.filename, self.size, self._hash.hexdigest())

    def abort(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> UploadWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        if exc_type is not None:
            self.abort()


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


def remove_asset_files(tenant_id: UUID, asset_id: UUID) -> None:
    shutil.rmtree(asset_dir(tenant_id, asset_id), ignore_errors=True)


def _human(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} bytes"
