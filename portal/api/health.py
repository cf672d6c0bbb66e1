"""/healthz: the app answers, its database (and Redis, when configured) are reachable, and the
in-process job worker (when enabled) beats. Anyone gets pass/fail only; the operator (bearer
HEALTHZ_TOKEN, or a signed-in studio admin) also gets the worker id, the job worker's heartbeat
and which integrations are configured."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal import routes
from portal.api._worker import operator_token_ok
from portal.db import tenant_session
from portal.integrations import worker_status
from portal.integrations.worker_status import worker_id
from portal.services.accounts.auth import SESSION_COOKIE, resolve_session
from portal.settings import get_settings

log = logging.getLogger(__name__)
# The readiness query (a test swaps in one the database refuses, to prove failures are logged).
DATABASE_CHECK = "SELECT 1"
NOT_CONFIGURED = "not configured"


def _database_ok() -> bool:
    try:
        with tenant_session(None) as session:
            return session.scalar(text(DATABASE_CHECK)) == 1
    except Exception:
        log.warning("/healthz: the database check failed", exc_info=True)
        return False


def _redis_status() -> str:
    url = get_settings().redis_url
    if not url:
        return f"{NOT_CONFIGURED} (state in process memory)"
    import redis

    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
            return "ok" if client.ping() else "unreachable"
    except redis.RedisError:
        log.warning("/healthz: Redis did not answer", exc_info=True)
        return "unreachable"


def _job_worker_status() -> str:
    """ok / stale for this process's in-process worker; `not in this process` when none runs
    here (PORTAL_INPROCESS_WORKER=false: `portal worker` processes do the work)."""
    supervisor = worker_status.current_job_worker
    if supervisor is None:
        return "not in this process"
    return "ok" if supervisor.alive() else "stale"


def _job_worker_detail() -> dict[str, Any]:
    supervisor = worker_status.current_job_worker
    if supervisor is None:
        return {}
    age = supervisor.heartbeat_age()
    return {
        "last_heartbeat_seconds_ago": None if age is None else round(age, 1),
        "stale_after_seconds": worker_status.STALE_SECONDS,
        "restarts": supervisor.restarts,
        "last_error": supervisor.last_error,
    }


def _is_studio_admin(token: str | None) -> bool:
    user = resolve_session(token) if token else None
    return user is not None and user.role == "admin" and user.tenant_type == "admin"


async def is_operator(request: Request) -> bool:
    """The operator token as a bearer, or a signed-in studio admin's session cookie."""
    if operator_token_ok(request.headers.get("authorization")):
        return True
    return await run_in_threadpool(_is_studio_admin, request.cookies.get(SESSION_COOKIE))


async def healthz(request: Request) -> JSONResponse:
    database_ok = await run_in_threadpool(_database_ok)
    redis = await run_in_threadpool(_redis_status)
    jobs = _job_worker_status()
    ok = database_ok and redis != "unreachable" and jobs != "stale"
    body: dict[str, Any] = {
        "status": "ok" if ok else "degraded",
        "database": "ok" if database_ok else "unreachable",
        "redis": NOT_CONFIGURED if redis.startswith(NOT_CONFIGURED) else redis,
        "job_worker": jobs,
    }
    if await is_operator(request):
        body |= {
            "redis": redis,
            "worker": worker_id(),
            "job_worker_detail": _job_worker_detail(),
            "integrations": get_settings().integration_status(),
        }
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


ROUTES = [Route(routes.HEALTHZ, healthz, methods=["GET"])]
