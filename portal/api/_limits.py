"""Reflex's `POST /_upload`: signed-in sessions only, and never more than the upload limit.

Reflex spools an upload body (to memory or temp files) before its handler can look at the
session, so an anonymous client with any token and a handler name could make the server store
gigabytes. This guard answers before the body is read: 401 without a valid session cookie, 413
when Content-Length is above UPLOAD_MAX_BYTES (plus room for the multipart framing). A body
without Content-Length (chunked) is counted as it streams and cut at the same limit: Reflex then
sees a disconnect and the client gets 413.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.services.accounts.auth import SESSION_COOKIE, resolve_session
from portal.settings import get_settings

UPLOAD_PATH = "/_upload"
# Multipart boundaries, part headers and Reflex's bound-arguments field around the file bytes.
FRAMING_BYTES = 1024**2
NO_STORE = {"Cache-Control": "no-store"}
SIGN_IN = "Sign in first."


def upload_cap() -> int:
    """The largest upload body accepted, in bytes."""
    return get_settings().upload_max_bytes + FRAMING_BYTES


def too_large() -> Response:
    limit = get_settings().upload_max_bytes
    return PlainTextResponse(f"The upload is larger than {limit} bytes.", 413, headers=NO_STORE)


async def refusal(scope: Scope) -> Response | None:
    """The answer to send instead of reading the body, or None to let the upload through."""
    request = Request(scope)
    user = await run_in_threadpool(resolve_session, request.cookies.get(SESSION_COOKIE))
    if user is None:
        return PlainTextResponse(SIGN_IN, 401, headers=NO_STORE)
    declared = request.headers.get("content-length")
    if declared is not None and not declared.isdigit():
        return PlainTextResponse("Bad Content-Length.", 400, headers=NO_STORE)
    if declared is not None and int(declared) > upload_cap():
        return too_large()
    return None


async def capped(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run `app` on a body cut at the cap: past it, `app` sees a disconnect and the client 413."""
    cap, received, over, started = upload_cap(), 0, False, False

    async def counting_receive() -> Message:
        nonlocal received, over
        if over:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            over = received > cap
        return {"type": "http.disconnect"} if over else message

    async def send_unless_cut(message: Message) -> None:
        nonlocal started
        if over and not started:
            return
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, counting_receive, send_unless_cut)
    except ClientDisconnect:
        if not over:
            raise
    if over and not started:
        await too_large()(scope, receive, send)


def guard_uploads(app: ASGIApp) -> ASGIApp:
    """Wrap the backend: `POST /_upload` is checked first, everything else passes untouched."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != UPLOAD_PATH or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        answer = await refusal(scope)
        if answer is not None:
            await answer(scope, receive, send)
            return
        await capped(app, scope, receive, send)

    return guarded
