"""Share links over HTTP, without sign-in.

- `GET /s/<token>`: the client page's HTML (the Reflex build's SPA shell) with a real status: 200
  for a live link, 404 for every link that is not (unknown, malformed, expired, revoked,
  exhausted — one status and one page, so nothing tells which). The page itself then talks to
  its state over the websocket. Reflex would answer 200 for any path matching `/s/[token]`; this
  route matches first (api_transformer) and sets the status and the headers.
- `GET /api/share/<token>`: {"available": true, "passcode": bool} or 404.
- `POST /api/share/<token>/open` (form or JSON `passcode`): counts one view and returns the
  playback URLs (200), or 404 / 401 (passcode needed or wrong) / 429 (throttled).
- `GET /api/share-media/<grant>/<file>`: poster, HLS playlists and segments, and `download`,
  after the grant and the link are checked (Mux: a signed redirect).

Every answer carries `Referrer-Policy: no-referrer` and `Cache-Control: no-store`. Tokens are
never logged (the server logs no access lines, and these handlers log nothing). The page also
carries a Content-Security-Policy: scripts only from this origin plus the build's own inline
scripts by their SHA-256 (React Router's SPA shell has five; no `unsafe-inline`, no
`unsafe-eval`), media, images, fonts and connections from this origin (and Mux when it hosts the
media), no framing.

A watermarked link's `download` is the rendition with the watermark burned in, never the clean
master: 409 with "being prepared" (and the job queued) until the rendition exists. A version
hosted on Mux downloads as a 302 to its MP4 static rendition with a token minted for that
request (named for the original file); watermarked, it has no download (409: the watermark
cannot be burned into a file Mux holds); without signing configured, 503.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from portal import routes
from portal.api._http import client_ip, read_form
from portal.api.media import MEDIA_NAME, MEDIA_TYPES, _mux_redirect
from portal.db import TenantContext, tenant_session
from portal.integrations import mux
from portal.services.core.errors import (
    LinkUnavailable,
    NoWatermarkedDownload,
    PasscodeRequired,
    PortalError,
    Throttled,
    WrongPasscode,
)
from portal.services.media.storage import asset_dir, source_path
from portal.services.sharing import access as share_access
from portal.services.sharing.download import decide_download
from portal.services.sharing.grants import RENEWAL_COOKIE, granted_asset
from portal.settings import get_settings

HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
UNAVAILABLE = LinkUnavailable.user_message
MAX_JSON = 4096
FALLBACK_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Link</title></head>"
    "<body><p>{message}</p></body></html>"
)


@lru_cache
def _spa_shell() -> Path | None:
    """The production build's SPA shell (absent in `reflex run` dev mode)."""
    from reflex import constants
    from reflex.utils import prerequisites

    static = prerequisites.get_web_dir() / constants.Dirs.STATIC
    for name in (constants.ReactRouter.SPA_FALLBACK, "404.html"):
        if (static / name).is_file():
            return static / name
    return None


INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
PREPARING = "The watermarked download is being prepared. Try again in a few minutes."
NO_SIGNING = "Downloads are not available right now. Please try again later."
# What an attachment name keeps: plain letters, digits, spaces, dots, dashes, underscores.
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9 ._-]+")


@lru_cache
def _script_hashes(shell: Path | None) -> tuple[str, ...]:
    """The SHA-256 sources of the shell's inline scripts (the build does not change at run time)."""
    if shell is None:
        return ()
    found = INLINE_SCRIPT.findall(shell.read_bytes())
    digests = (base64.b64encode(hashlib.sha256(body).digest()).decode() for body in found)
    return tuple(sorted({f"'sha256-{d}'" for d in digests}))


def content_security_policy(shell: Path | None) -> str:
    """The client page's policy: this origin's scripts and the shell's hashed inline scripts."""
    mux = " https://*.mux.com" if get_settings().mux_configured else ""
    scripts = " ".join(("'self'", *_script_hashes(shell)))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            # Radix and emotion set inline styles and <style> elements at run time.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{mux}",
            f"media-src 'self' blob:{mux}",
            f"connect-src 'self'{mux}",
            "worker-src 'self' blob:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=HEADERS)


async def page(request: Request) -> Response:
    """The client page shell with the link's HTTP status (no view is counted here)."""
    info = await run_in_threadpool(share_access.lookup, request.path_params["token"])
    return client_shell(live=info is not None and info.status == "active")


def client_shell(*, live: bool) -> Response:
    """A tokened client page's SPA shell (share links, upload requests): 200 for a live link,
    404 otherwise; no-referrer, no-store and the strict Content-Security-Policy."""
    status = 200 if live else 404
    shell = _spa_shell()
    headers = {**HEADERS, "Content-Security-Policy": content_security_policy(shell)}
    if shell is None:
        message = "Open this link in the portal." if status == 200 else UNAVAILABLE
        return HTMLResponse(FALLBACK_PAGE.format(message=message), status, headers=headers)
    return FileResponse(shell, status_code=status, media_type="text/html", headers=headers)


async def status(request: Request) -> Response:
    """Whether a link can be opened, and whether it asks for a passcode."""
    info = await run_in_threadpool(share_access.lookup, request.path_params["token"])
    if info is None or info.status != "active":
        return _error(404, UNAVAILABLE)
    body = {"available": True, "passcode": info.passcode_required}
    return JSONResponse(body, headers=HEADERS)


async def _passcode(request: Request) -> str | None:
    if request.headers.get("content-length", "0") == "0":
        return None
    if request.headers.get("content-type", "").startswith("application/json"):
        raw = await request.body()
        if len(raw) > MAX_JSON:
            return None
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return None
        value = data.get("passcode") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None
    form = await read_form(request)
    value = form.get("passcode") if form is not None else None
    return value if isinstance(value, str) else None


async def open_link(request: Request) -> Response:
    """Open the link once (one counted view) and hand out playback URLs."""
    token = request.path_params["token"]
    passcode = await _passcode(request)
    ip, agent = client_ip(request), request.headers.get("user-agent")
    try:
        opened = None
        if not passcode:  # the common case: one async statement
            opened, first = await share_access.open_without_passcode(
                token=token, ip=ip, user_agent=agent
            )
            if first is not None:
                await run_in_threadpool(share_access.notify_first_view, first)
        if opened is None:  # a passcode, or the reason it did not open
            opened = await run_in_threadpool(
                lambda: share_access.open_link(
                    token=token, passcode=passcode, ip=ip, user_agent=agent, tried=not passcode
                )
            )
    except LinkUnavailable:
        return _error(404, UNAVAILABLE)
    except (PasscodeRequired, WrongPasscode) as exc:
        return _error(401, exc.user_message)
    except Throttled as exc:
        return _error(429, exc.user_message)
    except PortalError as exc:
        return _error(400, exc.user_message)
    body = {
        "playback_url": opened.media("hls/master.m3u8"),
        "poster_url": opened.media("poster.jpg"),
        "download_url": opened.media("download") if opened.allow_download else None,
        "views": opened.view_count,
    }
    return JSONResponse(body, headers=HEADERS)


def download_name(asset) -> str:  # type: ignore[no-untyped-def]
    """The MP4's attachment name: the original file's stem (else the title), in plain ASCII."""
    stem = Path(asset.original_filename or "").stem or asset.title or ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    cleaned = " ".join(UNSAFE_NAME.sub("-", plain).split()).strip(" .-")[:100]
    return f"{cleaned or 'video'}.mp4"


def _mux_download(asset) -> Response:  # type: ignore[no-untyped-def]
    """A redirect to the MP4 rendition, its token minted for this request (never logged)."""
    if not asset.mux_playback_id:
        return Response(status_code=404, headers=HEADERS)
    try:
        target = mux.signed_download_url(asset.mux_playback_id, filename=download_name(asset))
    except mux.MuxError:
        return _error(503, NO_SIGNING)
    return RedirectResponse(target, status_code=302, headers=HEADERS)


def _download(asset, link) -> Response:  # type: ignore[no-untyped-def]
    """What decide_download says the link's download is, served."""
    with tenant_session(TenantContext(tenant_id=link.tenant_id)) as session:
        download = decide_download(session=session, link=link, asset=asset)
    if download.kind == "mux":
        return _mux_download(asset)
    if download.kind == "refused":
        return _error(409, NoWatermarkedDownload.user_message)
    if download.kind == "preparing":
        return _error(409, PREPARING)
    if download.kind == "watermarked" and download.path is not None:
        filename = f"{Path(asset.original_filename or asset.title).stem}-watermarked.mp4"
        return FileResponse(
            download.path, media_type="application/octet-stream", filename=filename, headers=HEADERS
        )
    source = source_path(asset.tenant_id, asset.id) if download.kind == "master" else None
    if source is None:
        return Response(status_code=404, headers=HEADERS)
    filename = asset.original_filename or f"{asset.title}{source.suffix}"
    return FileResponse(
        source,
        media_type="application/octet-stream",
        filename=filename,
        headers=HEADERS,
    )


async def media(request: Request) -> Response:
    """One media file of the granted version (revoked or expired link: 404 at once)."""
    name = request.path_params["name"]
    if name != "download" and not MEDIA_NAME.fullmatch(name):
        return Response(status_code=404, headers=HEADERS)
    renewal = request.cookies.get(RENEWAL_COOKIE)
    found = await run_in_threadpool(granted_asset, request.path_params["grant"], renewal)
    if found is None:
        return Response(status_code=404, headers=HEADERS)
    asset, link = found
    if name == "download":
        return await run_in_threadpool(_download, asset, link)
    if asset.backend == "mux":
        return _mux_redirect(asset, name)
    path = asset_dir(asset.tenant_id, asset.id) / name
    if not path.is_file():
        return Response(status_code=404, headers=HEADERS)
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)


ROUTES = [
    Route(routes.API_SHARE_MEDIA + "/{grant}/{name:path}", media, methods=["GET", "HEAD"]),
    Route(routes.API_SHARE + "/{token}/open", open_link, methods=["POST"]),
    Route(routes.API_SHARE + "/{token}", status, methods=["GET"]),
    Route(routes.SHARE + "/{token}", page, methods=["GET", "HEAD"]),
]
