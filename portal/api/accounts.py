"""/api/auth/{forgot,reset,invite}: password reset and invitation acceptance."""

from __future__ import annotations

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
from portal.services.core.errors import InvalidLink, PortalError


async def forgot(request: Request) -> Response:
    """Email a reset link; the answer never says whether the email has an account."""
    if not same_origin(request):
        return redirect(routes.login_url(error="origin"))
    form = await read_form(request)
    try:
        await run_in_threadpool(
            self_service.request_password_reset, email=field(form, "email"), ip=client_ip(request)
        )
    except PortalError as exc:
        return redirect(routes.page_url(routes.FORGOT, error=exc.code))
    return redirect(routes.login_url(notice="reset_sent"))


async def reset(request: Request) -> Response:
    """Set a new password with a reset link, then sign in with it."""
    if not same_origin(request):
        return redirect(routes.login_url(error="origin"))
    form = await read_form(request)
    token = field(form, "token")
    try:
        await run_in_threadpool(
            self_service.reset_password,
            token=token,
            password=field(form, "password"),
            confirm=field(form, "confirm"),
        )
    except InvalidLink:
        return redirect(routes.login_url(error="link"))
    except PortalError as exc:
        return redirect(routes.page_url(routes.RESET, token=token, error=exc.code))
    return redirect(routes.login_url(notice="password_reset"))


async def accept_invite(request: Request) -> Response:
    """Accept an invitation: name and password, then straight into the tenant."""
    if not same_origin(request):
        return redirect(routes.login_url(error="origin"))
    form = await read_form(request)
    token, next_path = field(form, "token"), next_field(form)
    try:
        new = await run_in_threadpool(
            self_service.accept_invite,
            token=token,
            name=field(form, "name"),
            password=field(form, "password"),
            confirm=field(form, "confirm"),
            user_agent=request.headers.get("user-agent", ""),
        )
    except InvalidLink:
        return redirect(routes.login_url(error="link", next_path=next_path))
    except PortalError as exc:
        return redirect(routes.page_url(routes.INVITE, token=token, error=exc.code, next=next_path))
    return set_session_cookie(redirect(next_path or routes.DASHBOARD), new)


ROUTES = [
    Route(routes.API_FORGOT, forgot, methods=["POST"]),
    Route(routes.API_RESET, reset, methods=["POST"]),
    Route(routes.API_INVITE, accept_invite, methods=["POST"]),
]
