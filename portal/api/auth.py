"""/api/auth/*: sign-in, magic links and sign-out over plain HTTP (HttpOnly session cookie)."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import routes
from portal.api._http import (
    client_ip,
    field,
    next_field,
    read_form,
    redirect,
    same_origin,
    set_session_cookie,
)
from portal.services.accounts import self_service
from portal.services.accounts.auth import SESSION_COOKIE, sign_in, sign_out
from portal.services.core.errors import PortalError
from portal.settings import get_settings

log = logging.getLogger(__name__)


async def login(request: Request) -> Response:
    """Check email + password; on success set the session cookie and go to `next`."""
    if not same_origin(request):
        return redirect(routes.login_url(error="origin"))
    form = await read_form(request)
    if form is None:
        return redirect(routes.login_url(error="missing"))
    next_path = routes.safe_next(field(form, "next"))
    try:
        new = await run_in_threadpool(
            sign_in,
            email=field(form, "email"),
            password=field(form, "password"),
            user_agent=request.headers.get("user-agent", ""),
            ip=client_ip(request),
        )
    except PortalError as exc:
        log.info("sign-in refused (%s)", exc.code)
        return redirect(routes.login_url(error=exc.code, next_path=next_path))
    return set_session_cookie(redirect(next_path), new)


async def request_magic_link(request: Request) -> Response:
    """Email a sign-in link; the answer never says whether the email has an account."""
    if not same_origin(request):
        return redirect(routes.login_url(error="origin"))
    form = await read_form(request)
    next_path = next_field(form)
    try:
        await run_in_threadpool(
            self_service.request_magic_link,
            email=field(form, "email"),
            ip=client_ip(request),
            next_path=next_path,
        )
    except PortalError as exc:
        return redirect(routes.login_url(error=exc.code, next_path=next_path))
    return redirect(routes.login_url(notice="magic_sent", next_path=next_path))


async def magic_sign_in(request: Request) -> Response:
    """Use a magic link (a POST from its confirmation page, so link scanners cannot spend it)."""
    if not same_origin(request):
        return redirect(routes.login_url(error="origin"))
    form = await read_form(request)
    next_path = next_field(form)
    try:
        new = await run_in_threadpool(
            self_service.sign_in_with_magic_link,
            token=field(form, "token"),
            user_agent=request.headers.get("user-agent", ""),
        )
    except PortalError as exc:
        return redirect(routes.login_url(error=exc.code, next_path=next_path))
    return set_session_cookie(redirect(next_path or routes.DASHBOARD), new)


async def logout(request: Request) -> Response:
    """Revoke the current session and clear the cookie."""
    if not same_origin(request):
        return redirect(routes.DASHBOARD)
    await run_in_threadpool(sign_out, token=request.cookies.get(SESSION_COOKIE))
    response = redirect(routes.login_url(notice="signed_out"))
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


ROUTES = [
    Route(routes.API_LOGIN, login, methods=["POST"]),
    Route(routes.API_MAGIC_REQUEST, request_magic_link, methods=["POST"]),
    Route(routes.API_MAGIC, magic_sign_in, methods=["POST"]),
    Route(routes.API_LOGOUT, logout, methods=["POST"]),
]
