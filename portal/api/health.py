"""/healthz: the app answers and its database is reachable; integrations say if configured."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal import routes
from portal.db import tenant_session
from portal.settings import get_settings


def _database_ok() -> bool:
    try:
        with tenant_session(None) as session:
            return session.scalar(text("SELECT 1")) == 1
    except Exception:
        return False


async def healthz(request: Request) -> JSONResponse:
    ok = await run_in_threadpool(_database_ok)
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if ok else "unreachable",
        "integrations": get_settings().integration_status(),
    }
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


ROUTES = [Route(routes.HEALTHZ, healthz, methods=["GET"])]
