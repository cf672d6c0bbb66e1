"""Files clients send through upload requests: the tus path under a request's grant, the
content sniffed (never trusted by name), the finished file kept in the project's *Client files*.

A client's tus upload is a `tus_uploads` row with `upload_request_id` (no member uploader),
created only into the request's own project, within its kinds, per-file size and file count
(uploads in progress count), and only while the link is live (`live_grant` re-checks it on
every request). Its bytes go through tus_uploads exactly as a member's do (offsets, checksums,
locks, expiry); the head is sniffed as soon as its first 512 bytes arrive and a kind the
request does not allow is refused there and deleted with its row — nothing partial stays. The
complete file moves to MEDIA_DIR/<tenant>/client-files/<id>, a `client_files` row records who
sent it and when (audited), and the request's creator is notified (`client_files`).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from sqlmodel import Session, col, select

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.models import ClientFile, Project, Tenant, TusUpload, UploadRequest
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.locale import format_datetime
from portal.services.core.rows import insert_row
from portal.services.core.validation import parse_uuid
from portal.services.media import tus_uploads as tus
from portal.services.media.storage import (
    check_declared_size,
    clean_filename,
    looks_like_video,
    media_root,
)
from portal.services.notifications.fan_out import fan_out
from portal.services.sharing.upload_requests import KINDS, RequestGrant, _size_text, files_used

NOT_ALLOWED = "That file is not one of the kinds this link accepts ({kinds}); nothing was kept."
UNKNOWN = "That file's content is not a kind this link accepts ({kinds}); nothing was kept."


def sniff_kind(head: bytes) -> str | None:
    """The kind of a file from its first bytes (magic numbers), or None when unrecognised."""
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return "images"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "images"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "images"  # TIFF
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"avif"):
            return "images"
        if brand in (b"M4A ", b"M4B "):
            return "audio"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio"
    if head.startswith((b"fLaC", b"ID3", b"OggS", b"FORM")):
        return "audio"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio"  # an MPEG audio frame (MP3 without a tag)
    if looks_like_video(head):
        return "video"
    if head.startswith(b"%PDF-"):
        return "documents"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "documents"  # legacy Office (doc, xls, ppt)
    if head.startswith(b"PK\x03\x04"):
        # Office Open XML / OpenDocument are zips whose first entry names them.
        if b"[Content_Types].xml" in head[:200] or b"mimetypeapplication/vnd.oasis" in head[:200]:
            return "documents"
        return "archives"
    if head.startswith(b"{\\rtf"):
        return "documents"
    if head.startswith(
        (b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
    ):
        return "archives"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "archives"
    return None


def _allowed(grant: RequestGrant) -> str:
    return ", ".join(KINDS[k].lower() for k in grant.kinds if k in KINDS)


def head_check(grant: RequestGrant):  # type: ignore[no-untyped-def]
    """The content check of a request's uploads: a kind it allows, or a clear refusal."""

    def check(head: bytes) -> None:
        kind = sniff_kind(head)
        if kind is None:
            raise InvalidInput(UNKNOWN.format(kinds=_allowed(grant)))
        if kind not in grant.kinds:
            raise InvalidInput(NOT_ALLOWED.format(kinds=_allowed(grant)))

    return check


def create_upload(*, grant: RequestGrant, filename: str | None, length: object) -> tus.TusStatus:
    """A new tus upload into the request's project (name, size and count checked now, the
    content once it arrives). The request row is locked so concurrent creations count right."""
    name = clean_filename(filename, any_extension=True)
    try:
        size = check_declared_size(length)
    except InvalidInput as exc:
        if "limit" in exc.user_message:
            raise tus.TooLarge(exc.user_message) from exc
        raise
    if size > grant.max_file_bytes:
        raise tus.TooLarge(
            f"That file is larger than this link accepts ({_size_text(grant.max_file_bytes)})."
        )
    with tenant_session(grant.context) as session:
        request = session.get(UploadRequest, grant.request_id, with_for_update=True)
        if request is None or request.project_id != grant.project_id:
            raise NotFound("This link is not available.")
        if files_used(session, request.id) >= request.max_files:
            raise InvalidInput(f"This link accepts at most {request.max_files} files.")
        row = insert_row(
            session,
            TusUpload(
                tenant_id=request.tenant_id,
                project_id=request.project_id,
                uploader_id=None,
                upload_request_id=request.id,
                sender_name=grant.sender_name,
                sender_email=grant.sender_email,
                title=name,
                filename=name,
                upload_length=size,
                expires_at=tus.expiry(),
            ),
        )
        return tus.start_file(row)


def upload_status(*, grant: RequestGrant, upload_id: str) -> tus.TusStatus:
    return tus.upload_status(ctx=grant.context, upload_id=upload_id, request_id=grant.request_id)


def terminate(*, grant: RequestGrant, upload_id: str) -> None:
    tus.terminate(ctx=grant.context, upload_id=upload_id, request_id=grant.request_id)


async def receive(
    *,
    grant: RequestGrant,
    upload_id: str,
    offset: int,
    chunks: AsyncIterable[bytes],
    checksum: tuple[str, bytes] | None = None,
    content_length: int | None = None,
) -> tus.TusStatus:
    """One PATCH of a request's upload; the complete file becomes a client file."""
    return await tus.receive(
        ctx=grant.context,
        upload_id=upload_id,
        offset=offset,
        chunks=chunks,
        checksum=checksum,
        content_length=content_length,
        request_id=grant.request_id,
        check_head=head_check(grant),
        finish=_finish,
    )


def client_dir(tenant_id: UUID) -> Path:
    return media_root() / str(tenant_id) / "client-files"


def stored_path(tenant_id: UUID, file_id: UUID) -> Path:
    return client_dir(tenant_id) / str(file_id)


def _finish(ctx: TenantContext, upload_id: UUID, sha256: str) -> tus.TusStatus:
    """The whole file arrived: kept as a client file (the upload's row and part go)."""
    part = tus.part_path(upload_id)
    target: Path | None = None
    try:
        with part.open("rb") as handle:
            kind = sniff_kind(handle.read(512))
        with tenant_session(ctx) as session:
            row = session.get(TusUpload, upload_id)
            if row is None or row.upload_request_id is None or kind is None:
                raise NotFound(tus.NOT_FOUND)
            request = session.get(UploadRequest, row.upload_request_id)
            if request is None:
                raise NotFound(tus.NOT_FOUND)
            kept = insert_row(
                session,
                ClientFile(
                    tenant_id=row.tenant_id,
                    project_id=row.project_id,
                    upload_request_id=row.upload_request_id,
                    sender_name=row.sender_name or "",
                    sender_email=row.sender_email or "",
                    filename=row.filename,
                    kind=kind,
                    size_bytes=row.upload_length,
                    sha256=sha256,
                ),
            )
            target = stored_path(kept.tenant_id, kept.id)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, target)
            status = tus.TusStatus(row.id, row.upload_length, row.upload_length, row.expires_at)
            session.delete(row)
            _notify(session, request, kept)
    except BaseException:
        # The transaction rolled back (no client_files row): the moved bytes go too.
        if target is not None:
            target.unlink(missing_ok=True)
        tus.discard(ctx=ctx, upload_id=upload_id)
        raise
    return status


def _notify(session: Session, request: UploadRequest, kept: ClientFile) -> None:
    if request.created_by is None:
        return
    fan_out(
        session=session,
        type_="client_files",
        tenant_id=request.tenant_id,
        actor_id=None,
        recipients=[request.created_by],
        payload={
            "title": f"A client sent “{kept.filename}” through “{request.name}”",
            "link": routes.project_url(str(request.project_id)),
            "client_file_id": str(kept.id),
        },
    )


@dataclass(frozen=True)
class ClientFileRow:
    id: str
    filename: str
    kind: str
    size: str
    sender: str
    sent: str
    request: str
    url: str


def list_client_files(*, session: Session, project_id: UUID | str) -> list[ClientFileRow]:
    """A project's client files, newest first (RLS: only in the reader's scope)."""
    pid = parse_uuid(project_id)
    rows = session.execute(
        select(ClientFile, UploadRequest.name)
        .join(
            UploadRequest, col(UploadRequest.id) == col(ClientFile.upload_request_id), isouter=True
        )
        .where(col(ClientFile.project_id) == pid)
        .order_by(col(ClientFile.created_at).desc())
    ).all()
    return [
        ClientFileRow(
            id=str(f.id),
            filename=f.filename,
            kind=KINDS.get(f.kind, f.kind),
            size=_size_text(f.size_bytes),
            sender=f"{f.sender_name} <{f.sender_email}>",
            sent=format_datetime(f.created_at),
            request=name or "",
            url=routes.client_file_url(str(f.id)),
        )
        for f, name in rows
    ]


def client_file_for_download(*, ctx: TenantContext, file_id: str) -> tuple[Path, str]:
    """The stored file and its name, for a member in scope (another tenant's: NotFound)."""
    with tenant_session(ctx) as session:
        row = session.get(ClientFile, parse_uuid(file_id))
        if row is None or session.get(Project, row.project_id) is None:
            raise NotFound("That file does not exist or is not available to you.")
    path = stored_path(row.tenant_id, row.id)
    if not path.is_file():
        raise NotFound("That file is no longer stored.")
    return path, row.filename


def purge_client_files(*, now: datetime | None = None) -> dict[str, int]:
    """Every tenant's client files received longer ago than its `client_file_retention_days`
    deleted: the rows (audited) and the bytes. Tenants without a period keep theirs."""
    now = now or datetime.now(UTC)
    counts = {"tenants": 0, "deleted": 0}
    with tenant_session(None) as session:
        periods = list(
            session.execute(
                select(col(Tenant.id), col(Tenant.client_file_retention_days)).where(
                    col(Tenant.client_file_retention_days).is_not(None)
                )
            )
        )
    for tenant_id, days in periods:
        cutoff = now - timedelta(days=int(days))
        with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
            rows = list(
                session.scalars(
                    select(ClientFile).where(
                        col(ClientFile.tenant_id) == tenant_id, col(ClientFile.created_at) < cutoff
                    )
                )
            )
            for row in rows:
                session.delete(row)
        for row in rows:  # the rows are gone (committed): now the bytes
            stored_path(row.tenant_id, row.id).unlink(missing_ok=True)
        counts["tenants"] += 1
        counts["deleted"] += len(rows)
    return counts
