"""/api/media: processed media served after a per-request access check (session cookie → RLS),
with range requests; and a streaming upload endpoint for scripts and large files.

Media is never a public directory: every poster, playlist and segment request resolves the
session and reads the asset through the viewer's tenant scope first.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api._http import same_origin
from portal.db import tenant_session
from portal.integrations import mux
from portal.models import Asset
from portal.services.accounts.auth import SESSION_COOKIE, SessionUser, resolve_session
from portal.services.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PortalError,
)
from portal.services.core.permissions import Action, require
from portal.services.core.versions import deliverable_version
from portal.services.media.assets import accept_upload, get_asset
from portal.services.media.storage import asset_dir, store_stream
from portal.settings import get_settings

# The only names served: poster, master playlist, rendition playlists and segments.
MEDIA_NAME = re.compile(
    r"^(poster\.jpg|hls/master\.m3u8|hls/\d{1,4}p/(index\.m3u8|seg_\d{5}\.ts))$"
)
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
}
STATUS = {InvalidInput: 400, PermissionDenied: 403, NotFound: 404, Conflict: 409}


def _user(request: Request) -> SessionUser | None:
    return resolve_session(request.cookies.get(SESSION_COOKIE))


def _visible_asset(user: SessionUser, asset_id: str) -> Asset | None:
    """The asset when this user may see it and its media is ready (RLS decides), else None."""
    try:
        require(user, Action.VIEW_PORTAL)
        with tenant_session(user.context) as session:
            asset = get_asset(session=session, asset_id=asset_id)
    except PortalError:
        return None
    return asset if asset.status == "ready" else None


def _mux_redirect(asset: Asset, name: str) -> Response:
    """Mux media: a token minted for this request only, never stored or logged."""
    if not asset.mux_playback_id or name not in ("hls/master.m3u8", "poster.jpg"):
        return Response(status_code=404)
    try:
        if name == "poster.jpg":
            target = mux.signed_thumbnail_url(asset.mux_playback_id)
        else:
            target = mux.signed_stream_url(asset.mux_playback_id)
    except mux.MuxError:
        return Response(status_code=503, headers={"Cache-Control": "no-store"})
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return RedirectResponse(target, status_code=302, headers=headers)


async def media(request: Request) -> Response:
    """One processed media file of one asset, with range support (Mux: a signed redirect)."""
    name = request.path_params["name"]
    if not MEDIA_NAME.fullmatch(name):
        return Response(status_code=404)
    user = await run_in_threadpool(_user, request)
    if user is None:
        return Response(status_code=401, headers={"Cache-Control": "no-store"})
    asset = await run_in_threadpool(_visible_asset, user, request.path_params["asset_id"])
    if asset is not None and asset.backend == "mux":
        return _mux_redirect(asset, name)
    path = asset_dir(asset.tenant_id, asset.id) / name if asset is not None else None
    if path is None or not path.is_file():
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


def _error(exc: PortalError) -> JSONResponse:
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    return JSONResponse({"error": exc.user_message}, status_code=status)


async def upload(request: Request) -> Response:
    """PUT the raw file body: ?project_id=&title=&filename=[&milestone_id=]."""
    if not same_origin(request):
        return JSONResponse({"error": "Cross-site uploads are refused."}, status_code=403)
    q = request.query_params
    try:
        user = await run_in_threadpool(_user, request)
        if user is None:
            return JSONResponse({"error": "Please sign in again."}, status_code=401)
        require(user, Action.UPLOAD_ASSET)
        declared = int(request.headers.get("content-length") or 0)
        if declared > get_settings().upload_max_bytes:
            return JSONResponse({"error": "The file is larger than the limit."}, status_code=413)
        stored = await store_stream(q.get("filename"), request.stream())

        def accept() -> tuple[Asset, int]:
            asset = accept_upload(
                ctx=user.context,
                project_id=q.get("project_id", ""),
                title=q.get("title", ""),
                milestone_id=q.get("milestone_id") or None,
                stored=stored,
            )
            with tenant_session(user.context) as session:
                return asset, deliverable_version(session, asset)

        asset, number = await run_in_threadpool(accept)
    except PortalError as exc:
        return _error(exc)
    except ClientDisconnect:
        return Response(status_code=400)
    # `version`: the deliverable's own number (v1 of a new deliverable), as every page shows it.
    body = {"asset_id": str(asset.id), "version": number, "status": asset.status}
    return JSONResponse(body, status_code=201)


ROUTES = [
    Route(routes.API_UPLOAD, upload, methods=["PUT", "POST"]),
    Route(routes.API_MEDIA + "/{asset_id}/{name:path}", media, methods=["GET", "HEAD"]),
]
