"""/healthz: the app answers, its database (and Redis, when configured) are reachable;
integrations say if configured; `worker` names the backend process that answered."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal import routes
from portal.api._worker import worker_id
from portal.db import tenant_session
from portal.settings import get_settings


def _database_ok() -> bool:
    try:
        with tenant_session(None) as session:
            return session.scalar(text("SELECT 1")) == 1
    except Exception:
        return False


def _redis_status() -> str:
    url = get_settings().redis_url
    if not url:
        return "not configured (state in process memory)"
    import redis

    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
            return "ok" if client.ping() else "unreachable"
    except redis.RedisError:
        return "unreachable"


async def healthz(request: Request) -> JSONResponse:
    database_ok = await run_in_threadpool(_database_ok)
    redis = await run_in_threadpool(_redis_status)
    ok = database_ok and redis != "unreachable"
    body = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if database_ok else "unreachable",
        "redis": redis,
        "worker": worker_id(),
        "integrations": get_settings().integration_status(),
    }
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


ROUTES = [Route(routes.HEALTHZ, healthz, methods=["GET"])]
