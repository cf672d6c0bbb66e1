"""A stand-in for Reflex's backend behind portal.api.around: a page, the build's static files,
and a `POST /_upload` that streams the body the way Reflex's does (a disconnect mid-body ends
with an empty 200, as reflex_components_core's upload endpoint answers one)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from portal.api import around

PAGE = "<!doctype html><html><body>portal</body></html>"


class Seen:
    """What the stand-in's upload endpoint read."""

    def __init__(self) -> None:
        self.body = b""
        self.disconnected = False


def backend(static_dir: Path, seen: Seen) -> Starlette:
    async def upload(request: Request) -> Response:
        try:
            async for chunk in request.stream():
                seen.body += chunk
        except ClientDisconnect:
            seen.disconnected = True
            return Response()
        return JSONResponse({"bytes": len(seen.body)})

    async def page(request: Request) -> Response:
        return HTMLResponse(PAGE)

    return Starlette(
        routes=[
            Route("/_upload", upload, methods=["POST"]),
            Route("/projects", page),
            Mount("/assets", StaticFiles(directory=static_dir)),
        ]
    )


def wrapped_backend(static_dir: Path, seen: Seen):
    """The stand-in inside the portal's real wrapping (our routes, guard, headers)."""
    return around(backend(static_dir, seen))
