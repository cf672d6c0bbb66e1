"""Benchmark plumbing: a scratch database, loopback ASGI servers and a small HTTP/1.1 load tool."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql

from portal.settings import ROOT, get_settings

OWNER_ROLE = "portal_owner"


@contextmanager
def scratch_database() -> Iterator[str]:
    """A migrated throwaway database (BENCH_DATABASE_URL superuser, else embedded); owner DSN."""
    from portal import db
    from portal.cli import migrate
    from portal.embedded_pg import start_embedded
    from tests.conftest import _with_db, libpq_to_sqlalchemy

    server = os.environ.get("BENCH_DATABASE_URL") or start_embedded(
        ROOT / ".portal", cluster="bench-pgdata", keep_running=False
    )
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (OWNER_ROLE,)).fetchone():
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE").format(sql.Identifier(OWNER_ROLE))
            )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(OWNER_ROLE)
            )
        )
    owner = _with_db(server, name, OWNER_ROLE)
    os.environ["DATABASE_URL"] = libpq_to_sqlalchemy(owner)
    get_settings.cache_clear()
    db.reset_engines()
    try:
        migrate(os.environ["DATABASE_URL"])
        yield owner
    finally:
        db.reset_engines()
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(target: str, env: dict[str, str], *, factory: bool = False) -> Iterator[int]:
    """Serve an ASGI app with one granian worker on loopback; yields the port."""
    port = free_port()
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-log", "--no-access-log"]
    command += ["--factory", target] if factory else [target]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _connection(
    port: int, requests: list[tuple[int, bytes]], rate: float | None, start: float
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    ok = 0
    for when, request in requests_with_times(requests, rate, start):
        if when is not None:
            await asyncio.sleep(max(0.0, when - time.perf_counter()))
        writer.write(request)
        status = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        ok += status.split()[1] in (b"200", b"202")
    writer.close()
    return ok


def requests_with_times(requests: list[bytes], rate: float | None, start: float):  # type: ignore[no-untyped-def]
    for index, request in requests:
        yield (start + index / rate if rate else None), request


def http_request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def blast(
    port: int, requests: Sequence[bytes], *, connections: int = 16, rate: float | None = None
):  # type: ignore[no-untyped-def]
    """Send `requests` over keep-alive connections (as fast as possible, or at `rate`/s);
    returns (successful responses, seconds)."""
    indexed = list(enumerate(requests))

    async def main() -> int:
        start = time.perf_counter()
        shares = [indexed[i::connections] for i in range(connections)]
        results = await asyncio.gather(*[_connection(port, s, rate, start) for s in shares])
        return sum(results)

    began = time.perf_counter()
    ok = asyncio.run(main())
    return ok, time.perf_counter() - began
