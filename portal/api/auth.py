"""/api/auth/*: sign-in and sign-out over plain HTTP so the session cookie can be HttpOnly."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from portal import routes
from portal.services.auth import SESSION_COOKIE, sign_in, sign_out
from portal.services.errors import PortalError
from portal.settings import get_settings

log = logging.getLogger(__name__)
MAX_FORM_FIELD = 4096


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts: Origin (or Referer) must name this host when present."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source is None
    return urlsplit(source).netloc == request.headers.get("host", "")


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def login(request: Request) -> Response:
    """Check email + password; on success set the session cookie and go to `next`."""
    if not _same_origin(request):
        return _redirect(routes.login_url(error="origin"))
    try:
        form = await request.form(max_files=0, max_fields=10, max_part_size=MAX_FORM_FIELD)
    except Exception:  # malformed or oversized body: same clear message as a bad form
        return _redirect(routes.login_url(error="missing"))
    email, password = str(form.get("email") or ""), str(form.get("password") or "")
    next_path = routes.safe_next(str(form.get("next") or ""))
    try:
        new = await run_in_threadpool(
            sign_in,
            email=email,
            password=password,
            user_agent=request.headers.get("user-agent", ""),
        )
    except PortalError as exc:
        log.info("sign-in refused (%s)", exc.code)
        return _redirect(routes.login_url(error=exc.code, next_path=next_path))
    response = _redirect(next_path)
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


async def logout(request: Request) -> Response:
    """Revoke the current session and clear the cookie."""
    if not _same_origin(request):
        return _redirect(routes.DASHBOARD)
    await run_in_threadpool(sign_out, token=request.cookies.get(SESSION_COOKIE))
    response = _redirect(routes.login_url(notice="signed_out"))
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response
