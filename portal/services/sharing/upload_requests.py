"""Upload requests: a link through which a client without an account sends files to one
project (docs/uploads.md, "Upload requests").

The member side (create, list, revoke) runs in the member's tenant-scoped session. The token
and passcode are handled exactly as share links': `secrets.token_urlsafe(32)` shown once,
only its sha256 stored; the passcode an argon2 hash, wrong attempts throttled per address and
per link (`share_passcode` attempts keyed by the request's id); expiry days within the share
link limits. The client side has no session: `upload_request_lookup(hash)` (SECURITY DEFINER)
reaches one link by its token hash; `open_request` checks it is live (and the passcode) and
returns a signed **upload grant** bound to the request, its tenant and the sender's name and
email. The grant is what the browser sends to /api/tus/ (header `Portal-Upload-Grant`); every
tus request re-checks the link in the database (`live_grant`), so revoking or expiry stops
uploads at once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from uuid import UUID

from sqlalchemy import func, select, text
from sqlmodel import Session, col

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.models import ClientFile, Project, Tenant, TusUpload, UploadRequest
from portal.services.accounts import throttle
from portal.services.accounts.branding import logo_url
from portal.services.accounts.passwords import new_token, token_hash, verify_password
from portal.services.accounts.tenants import accent_of
from portal.services.core.errors import (
    InvalidInput,
    LinkUnavailable,
    NotFound,
    PasscodeRequired,
    WrongPasscode,
)
from portal.services.core.locale import format_datetime
from portal.services.core.rows import insert_row
from portal.services.core.validation import MAX_TITLE, clean_text, parse_uuid
from portal.services.sharing.access import valid_token
from portal.services.sharing.guests import clean_guest
from portal.services.sharing.links import MAX_PASSCODE, _days, _passcode_hash
from portal.services.sharing.view_types import UPLOAD_KINDS
from portal.settings import get_settings

KINDS = UPLOAD_KINDS
MAX_MESSAGE = 2000
MAX_FILES = 1000
DEFAULT_MAX_FILES = 20
GRANT_HEADER = "Portal-Upload-Grant"
MAX_GRANT = 1200
STATUS_LABELS = {"active": "Active", "expired": "Expired", "revoked": "Revoked"}


@dataclass(frozen=True)
class NewUploadRequest:
    """A request just created: its URL holds the token and is shown once, never stored."""

    id: str
    url: str


@dataclass(frozen=True)
class UploadRequestRow:
    """One request as the project page lists it."""

    id: str
    name: str
    status: str
    status_label: str
    kinds: str
    limits: str
    expires: str
    files: int


@dataclass(frozen=True)
class RequestGrant:
    """A live upload request, as a valid grant names it (checked against the database)."""

    request_id: UUID
    tenant_id: UUID
    project_id: UUID
    created_by: UUID | None
    kinds: tuple[str, ...]
    max_file_bytes: int
    max_files: int
    sender_name: str
    sender_email: str

    @property
    def context(self) -> TenantContext:
        return TenantContext(tenant_id=self.tenant_id)


@dataclass(frozen=True)
class ClientRequestPage:
    """What the client page shows: the link's words and limits in its tenant's branding."""

    name: str
    message: str
    kinds: str
    max_file_bytes: int
    max_files: int
    passcode_required: bool
    brand_name: str
    logo: str
    accent: str


@dataclass(frozen=True)
class OpenedRequest:
    grant: str = field(repr=False)


def request_url(token: str) -> str:
    return get_settings().portal_url.rstrip("/") + routes.upload_request_url(token)


def _size_text(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.3g} {unit}"
        value /= 1024
    return f"{size} bytes"


def _kinds(values: list[str] | tuple[str, ...] | None) -> list[str]:
    chosen = [kind for kind in KINDS if kind in set(values or [])]
    unknown = set(values or []) - set(KINDS)
    if unknown or not chosen:
        raise InvalidInput(
            "Choose at least one kind of file: video, images, documents, audio or archives."
        )
    return chosen


def _max_file_bytes(value: int | str | None) -> int:
    limit = get_settings().upload_max_bytes
    if value is None or str(value).strip() == "":
        return limit
    try:
        megabytes = float(str(value).strip())
    except ValueError:
        raise InvalidInput("The maximum file size must be a number of MB.") from None
    size = int(megabytes * 1024**2)
    if size < 1 or size > limit:
        raise InvalidInput(f"The maximum file size must be between 1 byte and {_size_text(limit)}.")
    return size


def _max_files(value: int | str | None) -> int:
    if value is None or str(value).strip() == "":
        return DEFAULT_MAX_FILES
    try:
        count = int(str(value).strip())
    except ValueError:
        raise InvalidInput("The number of files must be a whole number.") from None
    if not 1 <= count <= MAX_FILES:
        raise InvalidInput(f"The number of files must be between 1 and {MAX_FILES}.")
    return count


def create_upload_request(
    *,
    session: Session,
    project_id: UUID | str,
    created_by: UUID | None,
    name: str,
    kinds: list[str] | tuple[str, ...],
    expires_in_days: int | str | None = None,
    passcode: str | None = None,
    max_file_mb: int | str | None = None,
    max_files: int | str | None = None,
    message: str = "",
) -> NewUploadRequest:
    """A new link for clients to send files to a project in scope; its URL is shown once."""
    project = session.get(Project, parse_uuid(project_id))
    if project is None:
        raise NotFound("That project does not exist or is not available to you.")
    token = new_token()
    row = UploadRequest(
        tenant_id=project.tenant_id,
        project_id=project.id,
        created_by=created_by,
        name=clean_text(name, label="Name", max_length=MAX_TITLE),
        message=clean_text(message, label="Message", max_length=MAX_MESSAGE, required=False),
        hashed_token=token_hash(token),
        passcode_hash=_passcode_hash(passcode),
        kinds=_kinds(kinds),
        max_file_bytes=_max_file_bytes(max_file_mb),
        max_files=_max_files(max_files),
        expires_at=datetime.now(UTC) + timedelta(days=_days(expires_in_days)),
    )
    insert_row(session, row)
    return NewUploadRequest(id=str(row.id), url=request_url(token))


def effective_status(row: UploadRequest, now: datetime | None = None) -> str:
    if row.status == "active" and row.expires_at <= (now or datetime.now(UTC)):
        return "expired"
    return row.status


def list_upload_requests(*, session: Session, project_id: UUID | str) -> list[UploadRequestRow]:
    """A project's upload requests, newest first, with the files each brought."""
    pid = parse_uuid(project_id)
    rows = list(
        session.scalars(
            select(UploadRequest)
            .where(col(UploadRequest.project_id) == pid)
            .order_by(col(UploadRequest.created_at).desc())
        )
    )
    counts = dict(
        session.execute(
            select(col(ClientFile.upload_request_id), func.count())
            .where(col(ClientFile.project_id) == pid)
            .group_by(col(ClientFile.upload_request_id))
        ).all()
    )
    found = []
    for row in rows:
        status = effective_status(row)
        found.append(
            UploadRequestRow(
                id=str(row.id),
                name=row.name,
                status=status,
                status_label=STATUS_LABELS.get(status, status),
                kinds=", ".join(KINDS[k] for k in row.kinds if k in KINDS),
                limits=f"up to {row.max_files} files of {_size_text(row.max_file_bytes)}",
                expires=format_datetime(row.expires_at),
                files=int(counts.get(row.id, 0)),
            )
        )
    return found


def revoke_upload_request(*, session: Session, request_id: UUID | str) -> None:
    """Stop a link at once: its page refuses and uploads in progress stop at their next PATCH."""
    row = session.get(UploadRequest, parse_uuid(request_id), with_for_update=True)
    if row is None:
        raise NotFound("That upload request does not exist or is not available to you.")
    if row.status != "revoked":
        row.status, row.revoked_at = "revoked", datetime.now(UTC)
        row.updated_at = datetime.now(UTC)
        session.add(row)
        session.flush()


# ---- the client side (no session) ----


def _lookup(token: str | None):  # type: ignore[no-untyped-def]
    if not valid_token(token):
        return None
    with tenant_session(None) as session:
        return session.execute(
            text("SELECT * FROM upload_request_lookup(:h)"), {"h": token_hash(str(token))}
        ).first()


def is_live(*, token: str | None) -> bool:
    """Whether a token names a live request (the page's HTTP status)."""
    found = _lookup(token)
    return found is not None and found.status == "active"


def client_page(*, token: str | None) -> ClientRequestPage:
    """The page of a live link (LinkUnavailable for unknown, expired and revoked alike)."""
    found = _lookup(token)
    if found is None or found.status != "active":
        raise LinkUnavailable()
    with tenant_session(TenantContext(tenant_id=found.tenant_id)) as session:
        row = session.get(UploadRequest, found.request_id)
        tenant = session.get(Tenant, found.tenant_id)
    if row is None:
        raise LinkUnavailable()
    logo = logo_url(found.tenant_id)
    if not logo and tenant is not None and tenant.managed_by:
        logo = logo_url(tenant.managed_by)
    return ClientRequestPage(
        name=row.name,
        message=row.message,
        kinds=", ".join(KINDS[k].lower() for k in row.kinds if k in KINDS),
        max_file_bytes=row.max_file_bytes,
        max_files=row.max_files,
        passcode_required=row.passcode_hash is not None,
        brand_name=tenant.name if tenant else "Motion Mavericks",
        logo=logo or "/logo.svg",
        accent=accent_of(found.tenant_id),
    )


def open_request(
    *,
    token: str | None,
    name: str | None,
    email: str | None,
    passcode: str | None = None,
    ip: str | None = None,
) -> OpenedRequest:
    """The client gave their name and email (and the passcode when one is set): a grant to
    upload through this link."""
    found = _lookup(token)
    if found is None or found.status != "active":
        raise LinkUnavailable()
    sender_name, sender_email = clean_guest(name, email)
    if found.passcode_hash is not None:
        if not passcode:
            raise PasscodeRequired("Enter the passcode to send files.")
        settings = get_settings()
        limits = (settings.share_passcode_max_per_link, settings.share_passcode_max_attempts)
        reservation = throttle.reserve(
            kind="share_passcode", email=str(found.request_id), ip=ip, limits=limits
        )
        if len(passcode) > MAX_PASSCODE or not verify_password(passcode, found.passcode_hash):
            raise WrongPasscode()
        throttle.succeeded(reservation)
    return OpenedRequest(
        grant=make_grant(
            request_id=found.request_id,
            tenant_id=found.tenant_id,
            name=sender_name,
            email=sender_email,
        )
    )


@lru_cache(maxsize=2)
def _derived(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"upload-request-grant", hashlib.sha256).digest()


def _sign(body: str) -> str:
    key = _derived(get_settings().portal_secret_key.get_secret_value())
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_grant(
    *, request_id: UUID, tenant_id: UUID, name: str, email: str, now: float | None = None
) -> str:
    """A signed grant, valid TUS_EXPIRY_HOURS (the link itself is re-checked on every use)."""
    expires = int(now if now is not None else time.time()) + 3600 * get_settings().tus_expiry_hours
    payload = json.dumps(
        {"r": str(request_id), "t": str(tenant_id), "n": name, "e": email, "x": expires},
        separators=(",", ":"),
    )
    body = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
    return f"{body}.{_sign(body)}"


def _read_grant(grant: str | None) -> dict | None:
    if not grant or len(grant) > MAX_GRANT or grant.count(".") != 1:
        return None
    body, signature = grant.split(".")
    if not hmac.compare_digest(signature.encode(), _sign(body).encode()):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        if int(data["x"]) <= time.time():
            return None
        UUID(data["r"]), UUID(data["t"])
        return data if isinstance(data["n"], str) and isinstance(data["e"], str) else None
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None


def live_grant(grant: str | None) -> RequestGrant | None:
    """The request a grant names, while its signature holds and the link is live; else None."""
    data = _read_grant(grant)
    if data is None:
        return None
    # The grant is signed by us, so its tenant id is trusted to set the RLS context.
    with tenant_session(TenantContext(tenant_id=UUID(data["t"]))) as session:
        row = session.get(UploadRequest, UUID(data["r"]))
    if row is None or effective_status(row) != "active":
        return None
    return RequestGrant(
        request_id=row.id,
        tenant_id=row.tenant_id,
        project_id=row.project_id,
        created_by=row.created_by,
        kinds=tuple(row.kinds),
        max_file_bytes=row.max_file_bytes,
        max_files=row.max_files,
        sender_name=data["n"],
        sender_email=data["e"],
    )


def files_used(session: Session, request_id: UUID) -> int:
    """Files a request has brought or is bringing (finished, plus uploads in progress)."""
    done = session.scalar(
        select(func.count())
        .select_from(ClientFile)
        .where(col(ClientFile.upload_request_id) == request_id)
    )
    going = session.scalar(
        select(func.count())
        .select_from(TusUpload)
        .where(col(TusUpload.upload_request_id) == request_id)
    )
    return int(done or 0) + int(going or 0)
