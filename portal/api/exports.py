"""/api/exports: a version's original and its comments as files, for signed-in members.

- `GET /api/exports/<asset>/original`: the uploaded original (local backend), or with Mux a 302
  to the version's MP4 static rendition with a token minted for this request (the portal keeps
  no original of a Mux upload: the file went from the browser to Mux).
- `GET /api/exports/<asset>/comments.csv|.edl|.xml`: the comments as CSV, as a CMX 3600 EDL with
  locators (DaVinci Resolve) and as FCP 7 XML markers (Premiere Pro).
- `GET /api/exports/<asset>/comments.pdf`: the review report. Short threads are made while the
  request waits; a long one is queued as a job and the answer is 202 with a small page saying
  "Preparing…" that reloads itself until the file is there (then the browser saves it). A
  reload queues nothing while a job waits or runs; when the job failed the answer is a page
  saying so, with *Try again* (`?retry=1`: queues one job, then 303 back to the waiting page).

Every request resolves the session cookie and reads the version through the user's tenant scope
(RLS), exactly as /api/media does: signed out 401; another tenant's, a deleted or a malformed id
404. Downloads are not written to the audit log (neither are share-link downloads).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from portal import routes
from portal.db import tenant_session
from portal.integrations import mux
from portal.models import Asset
from portal.services.accounts.auth import SESSION_COOKIE, SessionUser, resolve_session
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action, can
from portal.services.media.assets import get_asset
from portal.services.media.exports import CommentExport, comment_export, comments_csv, file_name
from portal.services.media.exports_edit import comments_edl, comments_fcp_xml
from portal.services.media.exports_report import (
    INLINE_THREADS,
    ReportState,
    make_report,
    report_path,
    request_report,
)
from portal.services.media.storage import source_path

HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
NOT_FOUND = "That version does not exist or is not available to you."
NO_SIGNING = "Downloads are not available right now. Please try again later."
# kind -> (file name suffix, media type, writer)
FORMATS: dict[str, tuple[str, str, Callable[[CommentExport], str]]] = {
    "csv": ("comments.csv", "text/csv; charset=utf-8", comments_csv),
    "edl": ("markers.edl", "text/plain; charset=utf-8", comments_edl),
    "xml": ("markers.xml", "application/xml; charset=utf-8", comments_fcp_xml),
}


def _text(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status, headers=HEADERS)


def _attachment(name: str) -> dict[str, str]:
    return {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}


def _user(request: Request) -> SessionUser | None:
    user = resolve_session(request.cookies.get(SESSION_COOKIE))
    return user if user is not None and can(user, Action.VIEW_PORTAL) else None


def _export(user: SessionUser, asset_id: str) -> CommentExport | None:
    try:
        with tenant_session(user.context) as session:
            return comment_export(session=session, asset_id=asset_id)
    except PortalError:
        return None


async def comments(request: Request) -> Response:
    """The version's comments in one of FORMATS."""
    kind = request.path_params["kind"]
    if kind not in FORMATS:
        return _text(404, "Unknown export format.")
    user = await run_in_threadpool(_user, request)
    if user is None:
        return _text(401, "Sign in first.")
    export = await run_in_threadpool(_export, user, request.path_params["asset_id"])
    if export is None:
        return _text(404, NOT_FOUND)
    suffix, media_type, write = FORMATS[kind]
    body = await run_in_threadpool(write, export)
    return Response(body, media_type=media_type, headers=_attachment(file_name(export, suffix)))


PREPARING_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="3"><title>Preparing the review report</title></head>
<body style="font-family: sans-serif; margin: 3rem"><h1>Preparing the review report…</h1>
<p id="report-preparing">{threads} comment threads, a frame grab each: this takes a moment.
This page reloads by itself and the PDF downloads when it is ready.</p>
<p><a href="{back}">Back to the version</a></p></body></html>"""


FAILED_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>The review report could not be made</title></head>
<body style="font-family: sans-serif; margin: 3rem"><h1>The review report could not be made</h1>
<p id="report-failed">The report could not be made: something went wrong while making it
({threads} comment threads). Please try again; if it fails again, tell your studio.</p>
<p><a id="report-retry" href="{retry}">Try again</a> · <a href="{back}">Back to the version</a>
</p></body></html>"""


def _request(user: SessionUser, export: CommentExport, retry: bool) -> ReportState:
    with tenant_session(user.context) as session:
        return request_report(session=session, export=export, retry=retry)


async def report(request: Request) -> Response:
    """The PDF review report: the kept file, made now when short, else queued (202)."""
    user = await run_in_threadpool(_user, request)
    if user is None:
        return _text(401, "Sign in first.")
    export = await run_in_threadpool(_export, user, request.path_params["asset_id"])
    if export is None:
        return _text(404, NOT_FOUND)
    path = report_path(export)
    if not path.is_file() and len(export.roots()) <= INLINE_THREADS:
        path = await run_in_threadpool(make_report, export)
    if path.is_file():
        name = file_name(export, "review report.pdf")
        return FileResponse(path, media_type="application/pdf", filename=name, headers=HEADERS)
    retry = request.query_params.get("retry") == "1"
    state = await run_in_threadpool(_request, user, export, retry)
    here = f"{routes.API_EXPORTS}/{export.asset_id}/comments.pdf"
    if retry:  # back to the plain address: its reloads never ask again
        return RedirectResponse(here, status_code=303, headers=HEADERS)
    back = routes.asset_url(str(export.asset_id))
    threads = len(export.roots())
    if state == "failed":
        page = FAILED_PAGE.format(threads=threads, retry=f"{here}?retry=1", back=back)
        return HTMLResponse(page, status_code=200, headers=HEADERS)
    page = PREPARING_PAGE.format(threads=threads, back=back)
    return HTMLResponse(page, status_code=202, headers=HEADERS)


def _ready_asset(user: SessionUser, asset_id: str) -> Asset | None:
    """The version when this user may see it and it is ready (as /api/media decides)."""
    try:
        with tenant_session(user.context) as session:
            asset = get_asset(session=session, asset_id=asset_id)
    except PortalError:
        return None
    return asset if asset.status == "ready" else None


def original_name(asset: Asset, suffix: str) -> str:
    """The name the original was uploaded with (else the title), kept to safe characters."""
    stem = Path(asset.original_filename or "").stem or asset.title
    cleaned = "".join(ch if ch.isalnum() or ch in " ._-" else "-" for ch in stem).strip(" .-")
    return f"{cleaned[:100] or 'video'}{suffix}"


def _mux_original(asset: Asset) -> Response:
    """A redirect to Mux's MP4 rendition, its token minted for this request (never logged)."""
    if not asset.mux_playback_id:
        return _text(404, NOT_FOUND)
    try:
        target = mux.signed_download_url(
            asset.mux_playback_id, filename=original_name(asset, ".mp4")
        )
    except mux.MuxError:
        return _text(503, NO_SIGNING)
    return RedirectResponse(
        target, status_code=302, headers={**HEADERS, "Referrer-Policy": "no-referrer"}
    )


async def original(request: Request) -> Response:
    """The version's original file (Mux: its MP4 rendition)."""
    user = await run_in_threadpool(_user, request)
    if user is None:
        return _text(401, "Sign in first.")
    asset = await run_in_threadpool(_ready_asset, user, request.path_params["asset_id"])
    if asset is None:
        return _text(404, NOT_FOUND)
    if asset.backend == "mux":
        return _mux_original(asset)
    source = source_path(asset.tenant_id, asset.id)
    if source is None:
        return _text(404, "The original file of this version is not stored here.")
    name = original_name(asset, Path(asset.original_filename or "").suffix or source.suffix)
    return FileResponse(
        source, media_type="application/octet-stream", filename=name, headers=HEADERS
    )


ROUTES = [
    Route(routes.API_EXPORTS + "/{asset_id}/comments.pdf", report, methods=["GET"]),
    Route(routes.API_EXPORTS + "/{asset_id}/original", original, methods=["GET", "HEAD"]),
    Route(routes.API_EXPORTS + "/{asset_id}/comments.{kind}", comments, methods=["GET"]),
]
