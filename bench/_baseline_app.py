"""The baseline: a bare Starlette endpoint doing one INSERT through a psycopg pool."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager

from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

pool = AsyncConnectionPool(os.environ.get("BENCH_BASELINE_DSN", ""), open=False, max_size=10)


async def ingest(request: Request) -> JSONResponse:
    body = await request.body()
    async with pool.connection() as conn:
        await conn.execute("INSERT INTO bench_baseline (body) VALUES (%s)", (body.decode(),))
    return JSONResponse({"status": "accepted"}, status_code=202)


@asynccontextmanager
async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
    await pool.open()
    yield
    await pool.close()


app = Starlette(routes=[Route("/", ingest, methods=["POST"])], lifespan=lifespan)
