"""/api/branding/<tenant>/logo: a tenant's logo for its pages and emails (public, not secret)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from portal.services.accounts.branding import logo_file


async def logo(request: Request) -> Response:
    found = await run_in_threadpool(logo_file, request.path_params["tenant_id"])
    if found is None:
        return Response("Not found", status_code=404)
    path, media_type = found
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


ROUTES = [Route("/api/branding/{tenant_id}/logo", logo, methods=["GET"])]
