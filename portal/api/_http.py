"""Helpers shared by the HTTP endpoints: origin check, redirects, client address, forms."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse

from portal import routes
from portal.integrations.proxy import client_address
from portal.services.accounts.auth import SESSION_COOKIE, NewSession
from portal.settings import get_settings

log = logging.getLogger(__name__)
MAX_FORM_FIELD = 4096


def same_origin(request: Request) -> bool:
    """Refuse cross-site form posts: Origin (or Referer) must name this host when present."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    return urlsplit(source).netloc == request.headers.get("host", "")


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def client_ip(request: Request) -> str | None:
    """The client address (the first X-Forwarded-For hop only behind a trusted proxy)."""
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"))


async def read_form(request: Request) -> FormData | None:
    """The posted form, or None when the body is malformed or too large."""
    try:
        return await request.form(max_files=0, max_fields=10, max_part_size=MAX_FORM_FIELD)
    except Exception as exc:  # the endpoint answers with its own message; say why here
        log.warning(
            "form refused on %s %s (%s, %s bytes): %s: %s",
            request.method,
            request.url.path,
            request.headers.get("content-type", "no content type")[:100],
            request.headers.get("content-length", "unknown"),
            type(exc).__name__,
            str(exc)[:200],
        )
        return None


def field(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def next_field(form: FormData | None) -> str:
    """The form's same-site page to return to after signing in ('' when none or not safe)."""
    path = routes.safe_next(field(form, "next"))
    return "" if path == routes.DASHBOARD else path


def set_session_cookie(response: RedirectResponse, new: NewSession) -> RedirectResponse:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_absolute_hours * 3600,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    return response
