"""GET /api/client-files/<id>: a member downloads a file a client sent through an upload
request. Signed in, `Action.VIEW_PORTAL`, and the file in the member's scope (RLS); always as
an attachment of type application/octet-stream (a client's file is never rendered by the
portal's origin)."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from portal import routes
from portal.services.accounts.auth import SESSION_COOKIE, resolve_session
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action, can
from portal.services.sharing.client_files import client_file_for_download

HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_PLAIN = re.compile(r"[^A-Za-z0-9 ._-]")


def _disposition(name: str) -> str:
    fallback = _PLAIN.sub("_", name)[:150] or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def download(request: Request) -> Response:
    user = await run_in_threadpool(resolve_session, request.cookies.get(SESSION_COOKIE))
    if user is None or not can(user, Action.VIEW_PORTAL):
        return PlainTextResponse("Sign in first.", status_code=401, headers=HEADERS)
    file_id = request.path_params["file_id"]
    try:
        path, name = await run_in_threadpool(
            lambda: client_file_for_download(ctx=user.context, file_id=file_id)
        )
    except PortalError as exc:
        return PlainTextResponse(exc.user_message, status_code=404, headers=HEADERS)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={**HEADERS, "Content-Disposition": _disposition(name)},
    )


ROUTES = [Route(routes.API_CLIENT_FILES + "{file_id}", download, methods=["GET"])]
