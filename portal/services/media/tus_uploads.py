"""Resumable uploads (tus 1.0): the durable state behind /api/tus (portal/api/tus.py).

One `tus_uploads` row per upload holds who sends what into which project, the declared length
and the offset stored so far; the bytes are one file, MEDIA_DIR/incoming/tus/<id>.part. The row's
offset is the truth: a PATCH starts by cutting the file back to it (a crash mid-PATCH leaves no
stray bytes), streams the body to disk in batches (never whole in memory), then stores the new
offset. Without a checksum, what arrived is kept even when the client goes away (and stored every
COMMIT_EVERY bytes while it streams), so a resumed upload re-sends at most that much; with one
(`Upload-Checksum`), a PATCH counts only when its bytes match.

PATCHes of one upload are serialised by an exclusive lock on its file (flock: held by the open
file, released when the process dies); a second one meanwhile gets `UploadBusy` (HTTP 423,
which tus clients retry). The SHA-256 of the whole file is computed while receiving (kept in
this process between PATCHes; after a restart the stored prefix is read once to rebuild it).

A complete upload goes through `accept_upload`, exactly as a one-request upload does: the same
name, size and content checks (the content is sniffed as soon as its first 512 bytes are on disk,
in the middle of a PATCH: a renamed executable is refused before the rest arrives),
duplicates refused by content hash, then the local processing job. A refusal removes the row and
the file: nothing partial is kept. Uploads not finished `TUS_EXPIRY_HOURS` after their last bytes
expire; `sweep_expired_uploads` (periodic job) deletes them.

Keyword-only functions over a TenantContext; the caller has checked the session and
`Action.UPLOAD_ASSET` (portal/api/tus.py does both on every request).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import AsyncIterable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlmodel import col, select

from portal.db import TenantContext, tenant_session
from portal.models import Milestone, Project, Tenant, TusUpload
from portal.services.core.errors import Conflict, InvalidInput, NotFound
from portal.services.core.rows import insert_row
from portal.services.core.validation import MAX_TITLE, clean_text, parse_uuid
from portal.services.core.versions import deliverable_version
from portal.services.media.assets import accept_upload
from portal.services.media.storage import (
    SNIFF_BYTES,
    WRITEV_MAX,
    StoredUpload,
    check_declared_size,
    clean_filename,
    looks_like_video,
    media_root,
    write_stream,
)
from portal.settings import get_settings

log = logging.getLogger(__name__)

# Checksum algorithms of the checksum extension (Upload-Checksum: <algorithm> <base64 digest>).
CHECKSUMS = {"sha1": hashlib.sha1, "md5": hashlib.md5, "sha256": hashlib.sha256}
# Without a checksum, the received offset is stored every this many bytes during a PATCH.
COMMIT_EVERY = 64 * 1024**2
NOT_FOUND = "That upload does not exist or is no longer available; start it again."
NOT_VIDEO = "That file is not a video (its content does not match its name)."


class UploadGone(NotFound):
    """The upload expired (HTTP 410)."""

    user_message = "That upload expired; start it again."


class OffsetMismatch(Conflict):
    """The PATCH does not continue at the stored offset (HTTP 409)."""

    user_message = "The upload offset does not match; ask for the current offset and resume."


class UploadBusy(Conflict):
    """Another request is writing this upload right now (HTTP 423)."""

    user_message = "This upload is receiving data in another request; retry in a moment."


class ChecksumMismatch(InvalidInput):
    """The PATCH's bytes do not match its Upload-Checksum (HTTP 460); nothing was stored."""

    user_message = "The data does not match its checksum; nothing was stored, send it again."


class TooLarge(InvalidInput):
    """More bytes than the upload declared, or a declared size over the limit (HTTP 413)."""


@dataclass(frozen=True)
class TusStatus:
    """What a tus client is told about one upload."""

    id: UUID
    length: int
    offset: int
    expires_at: datetime
    asset_id: UUID | None = None
    version: int | None = None

    @property
    def complete(self) -> bool:
        return self.offset >= self.length


def tus_dir() -> Path:
    return media_root() / "incoming" / "tus"


def part_path(upload_id: UUID) -> Path:
    return tus_dir() / f"{upload_id}.part"


def parse_metadata(header: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs (the value may be absent)."""
    found: dict[str, str] = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        try:
            value = base64.b64decode(encoded.strip(), validate=True).decode()
        except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
            raise InvalidInput(f"Upload-Metadata “{key[:40]}” is not valid base64 text.") from exc
        found[key] = value
    return found


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: `<algorithm> <base64 digest>`; None when absent."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise InvalidInput(f"Checksum algorithm “{algorithm[:20]}” is not supported.")
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except ValueError as exc:
        raise InvalidInput("Upload-Checksum is not valid base64.") from exc


def _expiry() -> datetime:
    return datetime.now(UTC) + timedelta(hours=get_settings().tus_expiry_hours)


def _status(row: TusUpload, version: int | None = None) -> TusStatus:
    return TusStatus(
        row.id, row.upload_length, row.upload_offset, row.expires_at, row.asset_id, version
    )


def create_upload(
    *,
    ctx: TenantContext,
    project_id: UUID | str,
    title: str,
    filename: str | None,
    length: object,
    milestone_id: UUID | str | None = None,
) -> TusStatus:
    """A new upload into a project in the caller's scope (name, size, title, project and
    milestone checked now, the content once it arrives); its empty file exists with the row."""
    filename = clean_filename(filename)
    try:
        size = check_declared_size(length)
    except InvalidInput as exc:
        if "limit" in exc.user_message:
            raise TooLarge(exc.user_message) from exc
        raise
    title = clean_text(title, label="The deliverable title", max_length=MAX_TITLE)
    if ctx.user_id is None:
        raise InvalidInput("Sign in to upload.")
    with tenant_session(ctx) as session:
        project = session.get(Project, parse_uuid(project_id))
        if project is None:
            raise InvalidInput("That project does not exist or is not available to you.")
        milestone = None
        if milestone_id:
            milestone = session.get(Milestone, parse_uuid(milestone_id))
            if milestone is None or milestone.project_id != project.id:
                raise InvalidInput("That milestone does not belong to this project.")
        row = insert_row(
            session,
            TusUpload(
                tenant_id=project.tenant_id,
                project_id=project.id,
                milestone_id=milestone.id if milestone else None,
                uploader_id=ctx.user_id,
                title=title,
                filename=filename,
                upload_length=size,
                expires_at=_expiry(),
            ),
        )
        return start_file(row)


def start_file(row: TusUpload) -> TusStatus:
    """The empty file of an upload row just inserted (by create_upload or another entry point,
    e.g. an upload request's), and its first status."""
    tus_dir().mkdir(parents=True, exist_ok=True)
    os.close(os.open(part_path(row.id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    return _status(row)


def expiry() -> datetime:
    """When an upload receiving bytes now expires."""
    return _expiry()


def _own_row(
    session: Any, ctx: TenantContext, upload_id: UUID | str, request_id: UUID | None = None
) -> TusUpload:
    """The caller's own upload (RLS: its tenant; and only its uploader — or, for a client with
    an upload request's grant, only that request's uploads), else NotFound."""
    try:
        uid = parse_uuid(upload_id)
    except NotFound as exc:
        raise NotFound(NOT_FOUND) from exc
    row = session.get(TusUpload, uid)
    if row is None or row.upload_request_id != request_id:
        raise NotFound(NOT_FOUND)
    if request_id is None and row.uploader_id != ctx.user_id:
        raise NotFound(NOT_FOUND)
    if row.asset_id is None and row.expires_at <= datetime.now(UTC):
        raise UploadGone()
    return row


def upload_status(
    *, ctx: TenantContext, upload_id: UUID | str, request_id: UUID | None = None
) -> TusStatus:
    """The stored offset of one of the caller's uploads (HEAD)."""
    with tenant_session(ctx) as session:
        return _status(_own_row(session, ctx, upload_id, request_id))


@contextlib.contextmanager
def _locked(upload_id: UUID) -> Iterator[int]:
    """The upload's file, open for writing under an exclusive lock (UploadBusy when held)."""
    try:
        fd = os.open(part_path(upload_id), os.O_RDWR)
    except FileNotFoundError as exc:
        raise NotFound(NOT_FOUND) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UploadBusy() from exc
        yield fd
    finally:
        os.close(fd)


# The running SHA-256 of uploads this process received, by id: (offset, hash state).
_HASHES: OrderedDict[UUID, tuple[int, Any]] = OrderedDict()
_HASHES_LOCK = threading.Lock()
_HASHES_MAX = 1000


def _hash_at(upload_id: UUID, fd: int, offset: int) -> Any:
    """The SHA-256 state over the first `offset` bytes: kept from the last PATCH in this
    process, else read back from the file (after a restart, or a PATCH on another worker)."""
    with _HASHES_LOCK:
        kept = _HASHES.pop(upload_id, None)
    if kept is not None and kept[0] == offset:
        return kept[1]
    digest = hashlib.sha256()
    done = 0
    while done < offset:
        block = os.pread(fd, min(4 * 1024**2, offset - done), done)
        if not block:
            raise NotFound(NOT_FOUND)  # the file is shorter than its stored offset
        digest.update(block)
        done += len(block)
    return digest


def _keep_hash(upload_id: UUID, offset: int, digest: Any) -> None:
    with _HASHES_LOCK:
        _HASHES[upload_id] = (offset, digest)
        while len(_HASHES) > _HASHES_MAX:
            _HASHES.popitem(last=False)


def _video_head(head: bytes) -> None:
    if not looks_like_video(head):
        raise InvalidInput(NOT_VIDEO)


def _forget_hash(upload_id: UUID) -> None:
    with _HASHES_LOCK:
        _HASHES.pop(upload_id, None)


class _Appender:
    """Appends one PATCH body at the stored offset: hashes (SHA-256 of the file, and the
    PATCH's own checksum when given), refuses bytes past the declared length, and stores the
    offset every COMMIT_EVERY bytes when there is no checksum to wait for."""

    def __init__(
        self,
        *,
        ctx: TenantContext,
        upload_id: UUID,
        fd: int,
        start: int,
        length: int,
        digest: Any,
        checksum: tuple[str, bytes] | None,
        check_head: Callable[[bytes], None] = _video_head,
    ) -> None:
        self.ctx, self.upload_id, self.fd = ctx, upload_id, fd
        self.check_head = check_head
        self.start = self.offset = self.committed = start
        self.length = length
        self.digest = digest
        self.checksum = CHECKSUMS[checksum[0]]() if checksum else None
        self.refused = False  # the content is refused (not a video): the upload goes

    def write(self, data: Sequence[bytes]) -> None:
        parts = list(data)
        size = sum(len(part) for part in parts)
        if self.offset + size > self.length:
            raise TooLarge("The data goes past the upload's declared length.")
        views = [memoryview(part) for part in parts if part]
        position = self.offset
        while views:
            done = os.pwritev(self.fd, views[:WRITEV_MAX], position)
            position += done
            while views and done >= len(views[0]):
                done -= len(views[0])
                views.pop(0)
            if done:
                views[0] = views[0][done:]
        for part in parts:
            self.digest.update(part)
            if self.checksum is not None:
                self.checksum.update(part)
        self.offset += size
        if self.offset - size < SNIFF_BYTES <= self.offset:  # the head is complete: sniff it
            try:
                self.check_head(os.pread(self.fd, SNIFF_BYTES, 0))
            except InvalidInput:
                self.refused = True
                raise
        if self.checksum is None and self.offset - self.committed >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Flush what arrived to disk, then store it as the upload's offset."""
        if self.offset == self.committed:
            return
        os.fdatasync(self.fd)
        with tenant_session(self.ctx) as session:
            row = session.get(TusUpload, self.upload_id, with_for_update=True)
            if row is None:
                raise NotFound(NOT_FOUND)
            row.upload_offset = self.offset
            row.expires_at = _expiry()
            row.updated_at = datetime.now(UTC)
            session.add(row)
        self.committed = self.offset
        _keep_hash(self.upload_id, self.offset, self.digest.copy())

    def rewind(self) -> None:
        """Forget this PATCH's bytes (a checksum mismatch): back to what is stored."""
        os.ftruncate(self.fd, self.committed)


async def receive(
    *,
    ctx: TenantContext,
    upload_id: UUID | str,
    offset: int,
    chunks: AsyncIterable[bytes],
    checksum: tuple[str, bytes] | None = None,
    content_length: int | None = None,
    request_id: UUID | None = None,
    check_head: Callable[[bytes], None] = _video_head,
    finish: Callable[[TenantContext, UUID, str], TusStatus] | None = None,
) -> TusStatus:
    """Append one PATCH body at `offset` (which must be the stored offset); when the upload is
    complete, it becomes the next version exactly as a one-request upload does — or, for an
    upload request's upload (`request_id`), its content is checked by `check_head` and the
    complete file handed to `finish` (which removes the upload, kept or refused)."""
    status = await asyncio.to_thread(
        upload_status, ctx=ctx, upload_id=upload_id, request_id=request_id
    )
    if offset != status.offset:
        raise OffsetMismatch()
    if status.complete:
        if content_length:
            raise TooLarge("The upload is already complete.")
        return status
    if content_length is not None and offset + content_length > status.length:
        raise TooLarge("The data goes past the upload's declared length.")
    with _locked(status.id) as fd:
        # Under the lock: the stored offset again (a PATCH that held the lock may have moved it).
        status = await asyncio.to_thread(
            upload_status, ctx=ctx, upload_id=status.id, request_id=request_id
        )
        if offset != status.offset:
            raise OffsetMismatch()
        os.ftruncate(fd, offset)  # bytes past the stored offset were never stored
        digest = await asyncio.to_thread(_hash_at, status.id, fd, offset)
        writer = _Appender(
            ctx=ctx,
            upload_id=status.id,
            fd=fd,
            start=offset,
            length=status.length,
            digest=digest,
            checksum=checksum,
            check_head=check_head,
        )
        try:
            await write_stream(writer, chunks)
        except BaseException:
            if writer.refused:
                await asyncio.to_thread(_discard, ctx, status.id)
                raise
            if checksum is None:  # keep what arrived: the client resumes from there
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(writer.commit)
            await asyncio.to_thread(writer.rewind)
            raise
        if writer.checksum is not None and checksum is not None:
            if writer.checksum.digest() != checksum[1]:
                await asyncio.to_thread(writer.rewind)
                raise ChecksumMismatch()
        await asyncio.to_thread(writer.commit)
        if writer.offset == status.length < SNIFF_BYTES:  # smaller than the sniffed head
            try:
                check_head(os.pread(fd, SNIFF_BYTES, 0))
            except InvalidInput:
                await asyncio.to_thread(_discard, ctx, status.id)
                raise
        if writer.offset < status.length:
            return TusStatus(status.id, status.length, writer.offset, _expiry())
        if finish is not None:
            return await asyncio.to_thread(finish, ctx, status.id, writer.digest.hexdigest())
        return await asyncio.to_thread(_complete, ctx, status.id, writer.digest.hexdigest())


def _complete(ctx: TenantContext, upload_id: UUID, sha256: str) -> TusStatus:
    """The whole file arrived: the next version (or a clear refusal, and nothing kept)."""
    with tenant_session(ctx) as session:
        row = _own_row(session, ctx, upload_id)
    stored = StoredUpload(part_path(upload_id), row.filename, row.upload_length, sha256)
    try:
        asset = accept_upload(
            ctx=ctx,
            project_id=row.project_id,
            title=row.title,
            stored=stored,
            milestone_id=row.milestone_id,
        )
    except BaseException:
        _discard(ctx, upload_id)  # accept_upload removed the file already
        raise
    _forget_hash(upload_id)
    with tenant_session(ctx) as session:
        done = session.get(TusUpload, upload_id, with_for_update=True)
        if done is None:
            raise NotFound(NOT_FOUND)
        done.asset_id = asset.id
        done.expires_at = _expiry()
        session.add(done)
        version = deliverable_version(session, asset)
        return _status(done, version)


def discard(*, ctx: TenantContext, upload_id: UUID) -> None:
    """Remove an upload's row and file (a finished or refused upload of another entry point)."""
    _discard(ctx, upload_id)


def _discard(ctx: TenantContext, upload_id: UUID) -> None:
    """Remove an upload's row and file."""
    _forget_hash(upload_id)
    part_path(upload_id).unlink(missing_ok=True)
    with tenant_session(ctx) as session:
        row = session.get(TusUpload, upload_id)
        if row is not None:
            session.delete(row)


def terminate(*, ctx: TenantContext, upload_id: UUID | str, request_id: UUID | None = None) -> None:
    """The termination extension: the caller's upload and its bytes are gone (a finished
    upload's version stays; only the record of its upload goes)."""
    with tenant_session(ctx) as session:
        row = _own_row(session, ctx, upload_id, request_id)
    if row.asset_id is None:
        with _locked(row.id):
            _discard(ctx, row.id)
    else:
        _discard(ctx, row.id)


def sweep_expired_uploads(*, now: datetime | None = None) -> dict[str, int]:
    """Every tenant's expired uploads (and any file in the tus folder without a row, older than
    the expiry) deleted; an upload receiving bytes right now is left for the next sweep."""
    now = now or datetime.now(UTC)
    counts = {"expired": 0, "busy": 0, "orphans": 0}
    known: set[str] = set()
    with tenant_session(None) as session:
        tenants = list(session.scalars(select(col(Tenant.id)).order_by(col(Tenant.id))))
    for tenant_id in tenants:
        ctx = TenantContext(tenant_id=tenant_id)
        with tenant_session(ctx) as session:
            rows = list(session.scalars(select(TusUpload)))
        for row in rows:
            if row.expires_at > now:
                known.add(str(row.id))
                continue
            try:
                with _locked(row.id) if row.asset_id is None else contextlib.nullcontext():
                    _discard(ctx, row.id)
            except UploadBusy:
                known.add(str(row.id))
                counts["busy"] += 1
                continue
            except NotFound:  # the file is gone already
                _discard(ctx, row.id)
            counts["expired"] += 1
    folder = tus_dir()
    cutoff = (now - timedelta(hours=get_settings().tus_expiry_hours)).timestamp()
    for path in folder.glob("*.part") if folder.is_dir() else []:
        if path.stem not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            counts["orphans"] += 1
    return counts
