"""Websocket load: 500 concurrent dashboard tabs on one backend worker, then on two (Redis state).

Each session speaks Reflex's socket.io protocol as the browser does (captured from chromium):
the CONNECT packet carries `hydrate_and_load` (which runs the dashboard's on_load and its
queries), then the bell's `start` (its live loop waits on the worker's LISTEN connection), then
every LOAD_WS_THINK seconds (±50 %) a status filter change, `set_filter`, whose chained `load`
re-runs the dashboard queries. Latency: from sending the event to the delta carrying the
reloaded dashboard. Loopback only, bounded in time (LOAD_WS_SECONDS per phase).

Figures: p50/p95 event latency at steady load (goal p95 ≤ 200 ms; baseline: the same event from
one lone session, same run), memory per session (backend RSS growth / sessions; Redis memory
growth too in Redis mode), and a burst phase (no think time) whose events/s with 2 workers over
1 worker is the scaling ratio. Needs Redis at BENCH_REDIS_URL for the 2-worker half.

    python -m bench load_ws     (LOAD_WS_SESSIONS=500 LOAD_WS_SECONDS=60 LOAD_WS_THINK=5)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field

from bench._portal import REDIS_URL, redis_answers, serve_portal, session_cookies, tree_rss
from bench._report import goal
from bench._support import free_port, scratch_database

SESSIONS = int(os.environ.get("LOAD_WS_SESSIONS", "500"))
SECONDS = float(os.environ.get("LOAD_WS_SECONDS", "60"))
THINK = float(os.environ.get("LOAD_WS_THINK", "5"))
RAMP = float(os.environ.get("LOAD_WS_RAMP", "15"))
BURST = float(os.environ.get("LOAD_WS_BURST_SECONDS", "10"))
USERS = 20
STATUSES = ("all", "active", "planning", "on_hold", "completed")

ROOT_STATE = "reflex___state____state"
SESSION_STATE = f"{ROOT_STATE}.portal___state___session____session_state"
DASHBOARD = f"{SESSION_STATE}.portal___state___dashboard____dashboard_state"
BELL = f"{SESSION_STATE}.portal___state___bell____bell_state"
ROUTER = {"pathname": "/", "asPath": "/"}
LOADED = "loaded_rx_state_"  # set by every dashboard load


@dataclass
class Tally:
    """What every session measured in one phase."""

    latencies: list[float] = field(default_factory=list)  # seconds, set_filter → data
    hydrate: list[float] = field(default_factory=list)  # seconds, connect → dashboard data
    errors: int = 0
    phase: str = "ramp"  # ramp | steady | burst | done
    burst_events: int = 0


class Session:
    """One tab: a websocket, a reader answering pings and counting finished dashboard loads."""

    def __init__(self, ws) -> None:  # type: ignore[no-untyped-def]
        self.ws = ws
        self.loads = 0  # deltas with loaded = True (the first hydrate delta carries False)
        self.changed = asyncio.Event()

    async def read(self) -> None:
        import websockets

        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.ws:
                if frame == "2":
                    await self.ws.send("3")
                elif frame.startswith("42/_event,"):
                    _, update = json.loads(frame[len("42/_event,") :])
                    if update.get("delta", {}).get(DASHBOARD, {}).get(LOADED) is True:
                        self.loads += 1
                        self.changed.set()

    async def event(self, name: str, payload: dict | None = None) -> None:
        body = {"name": name, "payload": payload or {}, "router_data": ROUTER}
        await self.ws.send("42/_event," + json.dumps(["event", body]))

    async def until_loaded(self, after: int, timeout: float = 30.0) -> None:
        """Wait for the dashboard load numbered past `after`."""
        async with asyncio.timeout(timeout):
            while self.loads <= after:
                self.changed.clear()
                await self.changed.wait()


async def tab(port: int, cookie: str, tally: Tally, think: float) -> None:
    """Open the dashboard, start the bell, then change the status filter until the end."""
    import websockets

    url = f"ws://127.0.0.1:{port}/_event/?token={uuid.uuid4()}&EIO=4&transport=websocket"
    headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
    began = time.perf_counter()
    try:
        async with websockets.connect(
            url, additional_headers=headers, max_size=None, ping_interval=None, open_timeout=60
        ) as ws:
            await ws.recv()  # engine.io OPEN
            boot = {"name": f"{ROOT_STATE}.hydrate_and_load", "payload": {}, "router_data": ROUTER}
            await ws.send("40/_event," + json.dumps({"event": boot}))
            session = Session(ws)
            reader = asyncio.create_task(session.read())
            await session.until_loaded(0, 60)
            tally.hydrate.append(time.perf_counter() - began)
            await session.event(f"{BELL}.start")
            status = "all"
            while tally.phase != "done":
                pause = 0.0 if tally.phase == "burst" else think * random.uniform(0.5, 1.5)
                await asyncio.sleep(pause)
                if tally.phase == "done":
                    break
                status = random.choice([s for s in STATUSES if s != status])
                phase, done, sent = tally.phase, session.loads, time.perf_counter()
                await session.event(f"{DASHBOARD}.set_filter", {"name": "status", "value": status})
                await session.until_loaded(done)
                took = time.perf_counter() - sent
                if phase == "steady" and tally.phase == "steady":
                    tally.latencies.append(took)
                elif phase == "burst" and tally.phase == "burst":
                    tally.burst_events += 1
            reader.cancel()
    except (OSError, TimeoutError, websockets.WebSocketException):
        tally.errors += 1


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def redis_memory() -> int:
    import redis

    with redis.Redis.from_url(REDIS_URL) as client:
        return int(client.info("memory")["used_memory"])


@dataclass
class Result:
    p50: float
    p95: float
    rate: float
    burst_rate: float
    rss_per_session: float
    redis_per_session: float | None
    errors: int
    hydrate_p95: float
    alone_p50: float


async def drive(port: int, cookies: list[str], server, redis: bool) -> Result:  # type: ignore[no-untyped-def]
    # Baseline: one lone tab's filter changes (same server, same run).
    alone = Tally(phase="steady")
    lone = asyncio.create_task(tab(port, cookies[0], alone, 0.05))
    await asyncio.sleep(5)
    alone.phase = "done"
    await lone
    rss_before = tree_rss(server)
    redis_before = redis_memory() if redis else 0
    tally = Tally()
    tasks = []
    for i in range(SESSIONS):
        tasks.append(asyncio.create_task(tab(port, cookies[i % len(cookies)], tally, THINK)))
        await asyncio.sleep(RAMP / SESSIONS)
    while len(tally.hydrate) + tally.errors < SESSIONS:
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    rss = (tree_rss(server) - rss_before) / max(1, len(tally.hydrate))
    redis_growth = (redis_memory() - redis_before) / max(1, len(tally.hydrate)) if redis else None
    tally.phase = "steady"
    began = time.perf_counter()
    await asyncio.sleep(SECONDS)
    steady_seconds = time.perf_counter() - began
    tally.phase = "burst"
    await asyncio.sleep(BURST)
    tally.phase = "done"
    await asyncio.wait(tasks, timeout=60)
    return Result(
        p50=pct(tally.latencies, 0.50),
        p95=pct(tally.latencies, 0.95),
        rate=len(tally.latencies) / steady_seconds,
        burst_rate=tally.burst_events / BURST,
        rss_per_session=rss,
        redis_per_session=redis_growth,
        errors=tally.errors,
        hydrate_p95=pct(tally.hydrate, 0.95),
        alone_p50=statistics.median(alone.latencies) * 1000 if alone.latencies else float("nan"),
    )


def run_phase(label: str, workers: int, cookies: list[str], redis_url: str | None) -> Result:
    port = free_port()
    with serve_portal(
        port, workers=workers, redis_url=redis_url, backend_only=True, log_name="bench-ws.log"
    ) as server:
        result = asyncio.run(drive(port, cookies, server, redis=bool(redis_url)))
    print(
        f"{label}: {SESSIONS} sessions, {len(cookies)} users, think {THINK:g} s, errors "
        f"{result.errors}; connect+hydrate p95 {result.hydrate_p95:.0f} ms; steady "
        f"{result.rate:.0f} events/s p50 {result.p50:.1f} ms p95 {result.p95:.1f} ms; burst "
        f"{result.burst_rate:.0f} events/s; lone tab p50 {result.alone_p50:.1f} ms",
        flush=True,
    )
    goal(
        f"load_ws {label}: set_filter p95, {SESSIONS} sessions",
        f"{result.p95:.0f} ms (p50 {result.p50:.0f} ms, {result.rate:.0f} events/s)",
        f"{result.alone_p50:.0f} ms (one lone session, p50)",
        result.p95 / result.alone_p50,
        "p95 ≤ 200 ms",
        result.p95 <= 200 and result.errors == 0,
    )
    redis_note = (
        f" + Redis {result.redis_per_session / 1024:.0f} KiB"
        if result.redis_per_session is not None
        else ""
    )
    goal(
        f"load_ws {label}: memory per session",
        f"{result.rss_per_session / 1024:.0f} KiB backend RSS{redis_note}",
        target="reported",
    )
    return result


def main() -> None:
    os.environ.pop("GRANIAN_WORKERS", None)
    with scratch_database():
        cookies = session_cookies(USERS)
        one = run_phase("1 worker", 1, cookies, None)
        if not redis_answers():
            print(f"no Redis at {REDIS_URL}: the 2-worker half is skipped", flush=True)
            return
        two = run_phase("2 workers + Redis", 2, cookies, REDIS_URL)
    goal(
        "load_ws scaling: burst events/s, 2 workers vs 1",
        f"{two.burst_rate:.0f} events/s",
        f"{one.burst_rate:.0f} events/s (1 worker, memory state)",
        two.burst_rate / one.burst_rate if one.burst_rate else None,
        "reported (2 cores shared by server, PostgreSQL, Redis and the load generator)",
    )


if __name__ == "__main__":
    main()
