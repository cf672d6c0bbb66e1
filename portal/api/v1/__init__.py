"""/api/v1: the public REST API (FastAPI, mounted beside Reflex through portal.api.around).

OpenAPI 3.1 at /api/v1/openapi.json, interactive docs at /api/v1/docs (Swagger UI served from
the `fastapi-offline` package's files: nothing is fetched from elsewhere). Bearer personal access
tokens (/account/tokens); errors as RFC 9457 problem+json. See docs/api.md.
"""

from __future__ import annotations

import re
from importlib import resources as files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from portal import routes
from portal.api.v1.endpoints import router
from portal.api.v1.problems import HANDLERS, RESPONSES

DESCRIPTION = """The Motion Mavericks Portal's API. Authenticate with a personal access token
from **/account/tokens** (`Authorization: Bearer mmp_…`); each token has read or write scopes per
area. Every call sees exactly what its owner sees in the portal. Lists are paged with `cursor`
(`next_cursor` of the previous page); errors are RFC 9457 problem details with a stable `code`;
`GET` on a version or share link returns an `ETag` that updates take as `If-Match` (412 when it
changed); creates take an `Idempotency-Key`. Calls per token are rate limited (429 with
`Retry-After`)."""


def _swagger_static() -> str:
    return str(files.files("fastapi_offline") / "static")


def build_v1() -> FastAPI:
    app = FastAPI(
        title="Motion Mavericks Portal API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=RESPONSES,
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
    )
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=_swagger_static()), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        base = routes.API_V1
        return get_swagger_ui_html(
            openapi_url=f"{base}/openapi.json",
            title="Motion Mavericks Portal API",
            swagger_js_url=f"{base}/static/swagger-ui-bundle.js",
            swagger_css_url=f"{base}/static/swagger-ui.css",
            swagger_favicon_url=f"{base}/static/favicon.png",
        )

    return app


def _mount() -> Mount:
    """The API under /api/v1; its prefix also matches paths holding a (decoded) newline, which
    Starlette's `.*` does not, so such a request gets the API's own problem answer."""
    mount = Mount(routes.API_V1, app=build_v1())
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount


ROUTES = [_mount()]
