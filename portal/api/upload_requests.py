"""GET /r/<token>: the upload request client page's shell with the link's HTTP status (200
live, 404 otherwise) and the share page's headers (no-referrer: the URL holds the token;
no-store; the strict Content-Security-Policy). Matches before Reflex, as /s/<token> does."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import routes
from portal.api.share import client_shell
from portal.services.sharing.upload_requests import is_live


async def page(request: Request) -> Response:
    token = request.path_params["token"]
    return client_shell(live=await run_in_threadpool(lambda: is_live(token=token)))


ROUTES = [Route(routes.UPLOAD_REQUEST + "/{token}", page, methods=["GET", "HEAD"])]
