"""Security headers on every HTTP response of the app process: pages, the production build's
static files (`reflex run --env prod` serves them from the same ASGI app), Reflex's endpoints and
ours.

The policy holds only what is sure not to break Reflex's front end (its inline scripts, the
event websocket, blob: media for hls.js): no framing, no <base> or plugins from elsewhere, forms
post to this origin only. A route that sets its own header keeps it (the share page has a full
Content-Security-Policy and `Referrer-Policy: no-referrer`); a policy of its own without
`frame-ancestors` still gets `frame-ancestors 'none'`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = b"content-security-policy"
APP_POLICY = b"frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'self'"
DEFAULTS = (
    (CSP, APP_POLICY),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-content-type-options", b"nosniff"),
)


def secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` plus each default the response does not set itself."""
    present = {name.lower() for name, _ in headers}
    out = [
        (name, value + b"; frame-ancestors 'none'")
        if name.lower() == CSP and b"frame-ancestors" not in value
        else (name, value)
        for name, value in headers
    ]
    return out + [(name, value) for name, value in DEFAULTS if name not in present]


def with_security_headers(app: ASGIApp) -> ASGIApp:
    """Wrap the whole backend so every HTTP response carries the security headers."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(bytes(n), bytes(v)) for n, v in message.get("headers") or []]
                message = {**message, "headers": secured(headers)}
            await send(message)

        await app(scope, receive, send_secured)

    return wrapped
