"""Which backend worker answered: an `X-Portal-Worker` header, for operators only.

With several workers (GRANIAN_WORKERS, several hosts) an operator or a test needs to know which
process served a request or holds a tab's websocket; the id is opaque
(portal.integrations.worker_status.worker_id). It maps the deployment, so it is added only to
responses whose request carries the operator token (`Authorization: Bearer <HEALTHZ_TOKEN>`);
anyone else gets no header.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.integrations.worker_status import worker_id
from portal.settings import get_settings

HEADER = b"x-portal-worker"


def operator_token_ok(authorization: str | None) -> bool:
    """Whether an Authorization header carries the operator token (HEALTHZ_TOKEN, unset: no)."""
    secret = get_settings().healthz_token
    expected = secret.get_secret_value() if secret else ""
    scheme, _, given = (authorization or "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def _authorization(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            return value.decode("latin-1")
    return None


def with_worker_header(app: ASGIApp) -> ASGIApp:
    """Wrap the whole backend (routes and Reflex pages). Headers on `websocket.accept` are
    passed on too, though granian 2.8 does not send them (the bell shows a tab's worker)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not operator_token_ok(
            _authorization(scope)
        ):
            await app(scope, receive, send)
            return
        header = (HEADER, worker_id().encode())

        async def send_with_header(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                headers: list[Any] = list(message.get("headers") or [])
                message = {**message, "headers": [*headers, header]}
            await send(message)

        await app(scope, receive, send_with_header)

    return wrapped
