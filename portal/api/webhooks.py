"""/api/webhooks/{mux,resend}: verify on the raw body, store once, queue, answer at once.

Signed but unusable bodies (not JSON, no event id) are still recorded, as `dead` with the reason,
under an id derived from the body, so a sender retrying them creates no second row.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal import routes
from portal.integrations.webhook_signatures import SignatureRejected, verify_mux, verify_svix
from portal.services.operations.webhooks import ingest_webhook_event
from portal.settings import get_settings

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


class BodyTooLarge(Exception):
    """The request body is over `WEBHOOK_MAX_BODY_BYTES`."""


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _reply(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": message}, status_code=status, headers=NO_STORE)


def _parse(body: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def _store(source: str, event_id: str, payload: dict[str, Any], error: str | None) -> bool:
    stored = ingest_webhook_event(source=source, event_id=event_id, payload=payload, error=error)
    return stored is not None


async def _accept(
    source: str, event_id: str | None, body: bytes, payload: dict[str, Any] | None
) -> JSONResponse:
    """Store a verified delivery; unusable ones are kept as dead under a body-derived id."""
    error = None
    if payload is None:
        error, payload = "body is not a JSON object", {"body": body[:2000].decode(errors="replace")}
    elif not event_id:
        error = "event has no id"
    if not event_id or len(event_id) > 255:
        event_id = "sha256:" + hashlib.sha256(body).hexdigest()
    new = await run_in_threadpool(_store, source, event_id, payload, error)
    if error:
        return _reply(400, error)
    return _reply(202 if new else 200, "accepted" if new else "duplicate")


async def _verified_body(request: Request) -> bytes | JSONResponse:
    try:
        return await _read_body(request, get_settings().webhook_max_body_bytes)
    except BodyTooLarge:
        return _reply(413, "body too large")
    except ClientDisconnect:
        return _reply(400, "incomplete body")


async def mux_webhook(request: Request) -> JSONResponse:
    """Receive a Mux event (`Mux-Signature`)."""
    secret = get_settings().mux_webhook_secret
    if secret is None:
        return _reply(503, "mux webhooks not configured")
    body = await _verified_body(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        verify_mux(body, request.headers.get("mux-signature"), secret.get_secret_value())
    except SignatureRejected as exc:
        log.info("mux webhook rejected: %s", exc)
        return _reply(401, "invalid signature")
    payload = _parse(body)
    event_id = (payload or {}).get("id")
    return await _accept("mux", event_id if isinstance(event_id, str) else None, body, payload)


async def resend_webhook(request: Request) -> JSONResponse:
    """Receive a Resend event (Svix headers); the event id is `svix-id`."""
    secret = get_settings().resend_webhook_secret
    if secret is None:
        return _reply(503, "resend webhooks not configured")
    body = await _verified_body(request)
    if isinstance(body, JSONResponse):
        return body
    try:
        event_id = verify_svix(body, request.headers, secret.get_secret_value())
    except SignatureRejected as exc:
        log.info("resend webhook rejected: %s", exc)
        return _reply(401, "invalid signature")
    return await _accept("resend", event_id, body, _parse(body))


ROUTES = [
    Route(routes.API_WEBHOOK_MUX, mux_webhook, methods=["POST"]),
    Route(routes.API_WEBHOOK_RESEND, resend_webhook, methods=["POST"]),
]
