"""/api/tus/: resumable uploads on the tus 1.0 protocol (core, creation, creation-with-upload,
termination, expiration, checksum), for signed-in members who may upload (the same check as
PUT /api/media/uploads), from this site or any standard tus client.

POST /api/tus/ creates an upload (Upload-Length; Upload-Metadata: project_id, title, filename,
optionally milestone_id), HEAD /api/tus/<id> tells its offset, PATCH appends at that offset,
DELETE ends it. The state lives in portal/services/media/tus_uploads.py; a finished upload is
the next version, processed as any other. No library: the Python tus servers are FastAPI
routers, aiohttp apps or single-release projects, and none keeps its state where our RLS and
permission checks apply.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api._http import same_origin
from portal.services.accounts.auth import SESSION_COOKIE, SessionUser, resolve_session
from portal.services.core.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    PortalError,
)
from portal.services.core.permissions import Action, require
from portal.services.media import tus_uploads as tus
from portal.services.sharing import client_files
from portal.services.sharing.upload_requests import GRANT_HEADER, RequestGrant, live_grant
from portal.settings import get_settings

VERSION = "1.0.0"
EXTENSIONS = "creation,creation-with-upload,termination,expiration,checksum"
OCTETS = "application/offset+octet-stream"
STORE_FAILED = "The server could not store the data. Please try again later."
# Most specific first: the subclasses of NotFound, Conflict and InvalidInput.
STATUS: tuple[tuple[type[PortalError], int], ...] = (
    (tus.UploadGone, 410),
    (tus.OffsetMismatch, 409),
    (tus.UploadBusy, 423),
    (tus.ChecksumMismatch, 460),
    (tus.TooLarge, 413),
    (NotFound, 404),
    (PermissionDenied, 403),
)


def _headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": VERSION, "Cache-Control": "no-store", **extra}


def _answer(message: str, status: int, **headers: str) -> Response:
    return PlainTextResponse(message, status_code=status, headers=_headers(**headers))


def _error(exc: PortalError, **headers: str) -> Response:
    status = next((code for cls, code in STATUS if isinstance(exc, cls)), 400)
    return _answer(exc.user_message, status, **headers)


def _progress(status: tus.TusStatus, code: int = 204, **extra: str) -> Response:
    headers = _headers(
        **{"Upload-Offset": str(status.offset), "Upload-Length": str(status.length)}, **extra
    )
    if status.complete and status.asset_id is not None:
        headers["Portal-Asset-Id"] = str(status.asset_id)
        if status.version is not None:
            headers["Portal-Version"] = str(status.version)
    elif not status.complete:
        headers["Upload-Expires"] = format_datetime(status.expires_at.astimezone(UTC), usegmt=True)
    return Response(status_code=code, headers=headers)


def _user(request: Request) -> SessionUser | None:
    return resolve_session(request.cookies.get(SESSION_COOKIE))


async def _member(request: Request) -> SessionUser | RequestGrant | Response:
    """The signed-in member who may upload — or a client holding a live upload request's
    grant (header Portal-Upload-Grant; it is used even when a session cookie is sent too) —
    or the answer that refuses the request."""
    if request.headers.get("tus-resumable") != VERSION:
        return _answer("This server speaks tus 1.0.0.", 412, **{"Tus-Version": VERSION})
    if not same_origin(request):
        return _answer("Cross-site uploads are refused.", 403)
    if GRANT_HEADER.lower() in request.headers:
        grant = await run_in_threadpool(live_grant, request.headers[GRANT_HEADER.lower()])
        if grant is None:
            return _answer("This upload link is not available.", 403)
        return grant
    user = await run_in_threadpool(_user, request)
    if user is None:
        return _answer("Please sign in again.", 401)
    try:
        require(user, Action.UPLOAD_ASSET)
    except PortalError as exc:
        return _error(exc)
    return user


def _number(value: str | None, name: str) -> int:
    if value is None or not value.isdigit() or len(value) > 19:
        raise InvalidInput(f"{name} must be a whole number of bytes.")
    return int(value)


def _declared_body(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return _number(value, "Content-Length") if value is not None else None


async def options(request: Request) -> Response:
    """What this server supports (no session needed: nothing about any upload)."""
    return Response(
        status_code=204,
        headers=_headers(
            **{
                "Tus-Version": VERSION,
                "Tus-Extension": EXTENSIONS,
                "Tus-Max-Size": str(get_settings().upload_max_bytes),
                "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUMS),
            }
        ),
    )


async def create(request: Request) -> Response:
    """POST: a new upload (creation), with its first bytes when the body carries them."""
    if request.method == "OPTIONS":
        return await options(request)
    override = request.headers.get("x-http-method-override", "").upper()
    if override in ("PATCH", "DELETE", "HEAD"):
        return _answer("Send the method to the upload's own address.", 400)
    user = await _member(request)
    if isinstance(user, Response):
        return user
    try:
        if request.headers.get("upload-defer-length"):
            raise InvalidInput("Declare the upload's length (Upload-Length) when creating it.")
        meta = tus.parse_metadata(request.headers.get("upload-metadata"))
        length = _number(request.headers.get("upload-length"), "Upload-Length")
        if isinstance(user, RequestGrant):
            grant = user
            status = await run_in_threadpool(
                lambda: client_files.create_upload(
                    grant=grant, filename=meta.get("filename") or meta.get("name"), length=length
                )
            )
        else:
            member = user
            status = await run_in_threadpool(
                lambda: tus.create_upload(
                    ctx=member.context,
                    project_id=meta.get("project_id", ""),
                    title=meta.get("title", ""),
                    filename=meta.get("filename") or meta.get("name"),
                    length=length,
                    milestone_id=meta.get("milestone_id") or None,
                )
            )
    except PortalError as exc:
        return _error(exc)
    except OSError:
        return _answer(STORE_FAILED, 503)
    location = f"{routes.API_TUS}{status.id}"
    body = _declared_body_or_none(request)
    if request.headers.get("content-type") != OCTETS or body == 0:
        return _progress(status, 201, Location=location)
    return await _append(request, user, status.id, 0, 201, Location=location)


def _declared_body_or_none(request: Request) -> int | None:
    try:
        return _declared_body(request)
    except InvalidInput:
        return None


async def upload(request: Request) -> Response:
    """HEAD (the offset), PATCH (append at it) or DELETE (termination) of one upload."""
    method = request.method
    override = request.headers.get("x-http-method-override", "").upper()
    if method == "POST" and override in ("PATCH", "DELETE"):
        method = override
    if method == "OPTIONS":
        return await options(request)
    user = await _member(request)
    if isinstance(user, Response):
        return user
    upload_id = request.path_params["upload_id"]
    if isinstance(user, RequestGrant):
        grant = user
        if method == "HEAD":
            return await _client_head(grant, upload_id)
        if method == "DELETE":
            try:
                await run_in_threadpool(
                    lambda: client_files.terminate(grant=grant, upload_id=upload_id)
                )
            except PortalError as exc:
                return _error(exc)
            return Response(status_code=204, headers=_headers())
    elif method == "HEAD":
        member = user
        try:
            status = await run_in_threadpool(
                lambda: tus.upload_status(ctx=member.context, upload_id=upload_id)
            )
        except PortalError as exc:
            return _error(exc)
        return _progress(status, 200)
    elif method == "DELETE":
        member = user
        try:
            await run_in_threadpool(lambda: tus.terminate(ctx=member.context, upload_id=upload_id))
        except PortalError as exc:
            return _error(exc)
        return Response(status_code=204, headers=_headers())
    if request.headers.get("content-type") != OCTETS:
        return _answer(f"PATCH bodies are {OCTETS}.", 415)
    try:
        offset = _number(request.headers.get("upload-offset"), "Upload-Offset")
    except PortalError as exc:
        return _error(exc)
    return await _append(request, user, upload_id, offset, 204)


async def _client_head(grant: RequestGrant, upload_id: str) -> Response:
    try:
        status = await run_in_threadpool(
            lambda: client_files.upload_status(grant=grant, upload_id=upload_id)
        )
    except PortalError as exc:
        return _error(exc)
    return _progress(status, 200)


async def _append(
    request: Request,
    user: SessionUser | RequestGrant,
    upload_id: object,
    offset: int,
    code: int,
    **extra: str,
) -> Response:
    try:
        checksum = tus.parse_checksum(request.headers.get("upload-checksum"))
        if isinstance(user, RequestGrant):
            status = await client_files.receive(
                grant=user,
                upload_id=str(upload_id),
                offset=offset,
                chunks=request.stream(),
                checksum=checksum,
                content_length=_declared_body(request),
            )
        else:
            status = await tus.receive(
                ctx=user.context,
                upload_id=str(upload_id),
                offset=offset,
                chunks=request.stream(),
                checksum=checksum,
                content_length=_declared_body(request),
            )
    except PortalError as exc:
        return _error(exc, **extra)
    except ClientDisconnect:
        return Response(status_code=400, headers=_headers())
    except OSError:
        return _answer(STORE_FAILED, 503, **extra)
    return _progress(status, code, **extra)


ROUTES = [
    Route(routes.API_TUS, create, methods=["POST", "OPTIONS"]),
    Route(routes.API_TUS.rstrip("/"), create, methods=["POST", "OPTIONS"]),
    Route(
        routes.API_TUS + "{upload_id}",
        upload,
        methods=["HEAD", "PATCH", "DELETE", "POST", "OPTIONS"],
    ),
]
