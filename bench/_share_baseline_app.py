"""The share-link baseline: a bare Starlette endpoint hashing the token and running the same
single guarded UPDATE ... RETURNING through a psycopg pool (no RLS, no grant, no view row)."""

from __future__ import annotations

import hashlib
import os
from contextlib import asynccontextmanager

from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

pool = AsyncConnectionPool(
    os.environ.get("BENCH_BASELINE_DSN", ""),
    open=False,
    max_size=10,
    kwargs={"autocommit": True},
)
UPDATE = (
    "UPDATE bench_links SET view_count = view_count + 1, last_viewed_at = now()"
    " WHERE hashed_token = %s AND status = 'active' AND expires_at > now()"
    " AND (view_limit IS NULL OR view_count < view_limit) RETURNING view_count"
)


async def open_link(request: Request) -> JSONResponse:
    hashed = hashlib.sha256(request.path_params["token"].encode()).hexdigest()
    async with pool.connection() as conn:
        row = await (await conn.execute(UPDATE, (hashed,))).fetchone()
    if row is None:
        return JSONResponse({"error": "not available"}, status_code=404)
    return JSONResponse({"views": row[0]})


@asynccontextmanager
async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
    await pool.open()
    yield
    await pool.close()


app = Starlette(routes=[Route("/open/{token}", open_link, methods=["POST"])], lifespan=lifespan)
