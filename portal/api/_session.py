"""The signed-in user of an HTTP request (session cookie), checked against the matrix."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portal.services.accounts.auth import SESSION_COOKIE, SessionUser, resolve_session
from portal.services.core.permissions import Action, can

ROLES = ("admin",)


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


async def session_user(request: Request, action: Action) -> SessionUser | Response:
    """The signed-in admin allowed `action`, or the 401/403 response to send instead."""
    user = await run_in_threadpool(resolve_session, request.cookies.get(SESSION_COOKIE))
    if user is None:
        return no_store(PlainTextResponse("Sign in first.", status_code=401))
    if user.role not in ROLES or not can(user, action):
        return no_store(PlainTextResponse("You do not have permission to do that.", 403))
    return user
