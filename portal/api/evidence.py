"""/api/evidence/<id>.{html,json}: a stored residency report, for studio admins in scope."""

from __future__ import annotations

from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api._session import no_store, session_user
from portal.db import tenant_session
from portal.services.accounts.auth import SessionUser
from portal.services.compliance.residency import KINDS, read_evidence
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action

MEDIA_TYPES = {"html": "text/html; charset=utf-8", "json": "application/json"}


def _read(user: SessionUser, evidence_id: UUID, kind: str) -> bytes:
    with tenant_session(user.context) as session:
        return read_evidence(session=session, evidence_id=evidence_id, kind=kind)


async def evidence(request: Request) -> Response:
    """Serve one report file after the session, permission and tenant-scope checks."""
    user = await session_user(request, Action.OPERATE)
    if isinstance(user, Response):
        return user
    stem, _, kind = request.path_params["name"].rpartition(".")
    try:
        evidence_id = UUID(stem)
    except ValueError:
        evidence_id = None
    if evidence_id is None or kind not in KINDS:
        return no_store(PlainTextResponse("No such report.", status_code=404))
    try:
        body = await run_in_threadpool(_read, user, evidence_id, kind)
    except PortalError as exc:
        return no_store(PlainTextResponse(exc.user_message, status_code=404))
    response = Response(body, media_type=MEDIA_TYPES[kind])
    # The report is static: no scripts, no outside requests.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


ROUTES = [Route(routes.API_EVIDENCE + "/{name}", evidence, methods=["GET"])]
