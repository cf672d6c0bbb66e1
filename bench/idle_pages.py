"""Idle cost of open live pages (issue 18): N asset pages and M /operations pages doing nothing.

The portal's backend (one worker, no in-process job worker) talks to PostgreSQL through a
loopback proxy that counts the statements it is sent (simple-protocol Query and extended-protocol
Execute messages), so the figure is every statement of every connection, the LISTEN one too.
Each tab speaks Reflex's socket.io protocol as the browser does: `hydrate_and_load` of the page
(its on_load handlers, which start the page's live loop), then the bell's `start`.

Figures, from one run: statements per second and the backend's CPU (% of one core) over an idle
window with the tabs open, against the same server with no tab open (the baseline); then one
comment posted on the version every asset tab shows, and the time until each tab received it.
Goal: ≤ 1 statement/s and ≤ 5 % of one core in all with 200 asset + 50 operations pages; the
comment on every open asset page within 1 s.

    python -m bench idle_pages     (IDLE_ASSET_PAGES=200 IDLE_OPS_PAGES=50 IDLE_SECONDS=30)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field

import psutil

from bench._portal import serve_portal
from bench._report import goal
from bench._support import free_port, scratch_database

ASSET_PAGES = int(os.environ.get("IDLE_ASSET_PAGES", "200"))
OPS_PAGES = int(os.environ.get("IDLE_OPS_PAGES", "50"))
SECONDS = float(os.environ.get("IDLE_SECONDS", "30"))
SETTLE = float(os.environ.get("IDLE_SETTLE_SECONDS", "5"))
DEBUG = bool(os.environ.get("IDLE_DEBUG"))
USERS = 20

ROOT_STATE = "reflex___state____state"
SESSION_STATE = f"{ROOT_STATE}.portal___state___session____session_state"
BELL = f"{SESSION_STATE}.portal___state___bell____bell_state"
SSL_REQUEST, GSS_REQUEST = 80877103, 80877104


class StatementProxy:
    """Loopback TCP in front of PostgreSQL (TCP or Unix socket) counting client statements."""

    def __init__(self, upstream: dict[str, str]) -> None:
        self.upstream = upstream
        self.statements = 0
        self.texts: list[str] = []
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> StatementProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        host, port = self.upstream.get("host", "127.0.0.1"), self.upstream.get("port", "5432")
        if host.startswith("/"):
            return await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        return await asyncio.open_connection(host, int(port))

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await self._open()

        async def backend() -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await up_reader.read(65536):
                    writer.write(data)
                    await writer.drain()

        back = asyncio.create_task(backend())
        try:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                await self._frontend(reader, up_writer)
        finally:
            back.cancel()
            for w in (writer, up_writer):
                with contextlib.suppress(OSError):
                    w.close()

    async def _frontend(self, reader: asyncio.StreamReader, up: asyncio.StreamWriter) -> None:
        """Forward the client's messages, counting Query ('Q') and Execute ('E')."""
        started = False
        while True:
            if not started:  # untyped start-up packets: SSL/GSS requests, then the startup
                head = await reader.readexactly(4)
                (length,) = struct.unpack("!I", head)
                body = await reader.readexactly(length - 4)
                code = struct.unpack("!I", body[:4])[0]
                started = code not in (SSL_REQUEST, GSS_REQUEST)
                up.write(head + body)
            else:
                head = await reader.readexactly(5)
                kind, length = head[:1], struct.unpack("!I", head[1:])[0]
                body = await reader.readexactly(length - 4)
                if kind in (b"Q", b"E"):
                    self.statements += 1
                if DEBUG and kind in (b"Q", b"P"):
                    self.texts.append(body[:160].decode("utf-8", "replace"))
                up.write(head + body)
            await up.drain()


@dataclass
class Tab:
    """One open page: its socket reader, whether its first load arrived, when a marker did."""

    hydrated: bool = False
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    marker: str = ""
    seen_at: float | None = None
    errors: int = 0


def hydrated(frame: str) -> bool:
    """Whether this delta ends the page's on_load handlers (Reflex's `is_hydrated` flips)."""
    _, update = json.loads(frame[len("42/_event,") :])
    return update.get("delta", {}).get(ROOT_STATE, {}).get("is_hydrated_rx_state_") is True


async def open_tab(port: int, cookie: str, path: str, tab: Tab, stop: asyncio.Event) -> None:
    import websockets

    url = f"ws://127.0.0.1:{port}/_event/?token={uuid.uuid4()}&EIO=4&transport=websocket"
    headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
    router = {"pathname": path.split("?")[0], "asPath": path}
    try:
        async with websockets.connect(
            url, additional_headers=headers, max_size=None, ping_interval=None, open_timeout=120
        ) as ws:
            await ws.recv()  # engine.io OPEN
            boot = {"name": f"{ROOT_STATE}.hydrate_and_load", "payload": {}, "router_data": router}
            await ws.send("40/_event," + json.dumps({"event": boot}))

            async def read() -> None:
                with contextlib.suppress(websockets.ConnectionClosed):
                    async for frame in ws:
                        if frame == "2":
                            await ws.send("3")
                        elif frame.startswith("42/_event,"):
                            if not tab.hydrated and hydrated(frame):
                                tab.hydrated = True
                                bell = {"name": f"{BELL}.start", "payload": {}}
                                bell["router_data"] = router
                                await ws.send("42/_event," + json.dumps(["event", bell]))
                            elif tab.hydrated and "served_by_rx_state_" in frame:
                                tab.loaded.set()  # the bell's start ran: the page is all up
                            if tab.marker and tab.seen_at is None and tab.marker in frame:
                                tab.seen_at = time.perf_counter()

            reader = asyncio.create_task(read())
            await stop.wait()
            reader.cancel()
    except (OSError, TimeoutError, websockets.WebSocketException):
        tab.errors += 1
        tab.loaded.set()


def cpu_seconds(root: psutil.Process) -> float:
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


async def window(proxy: StatementProxy, server: psutil.Process) -> tuple[float, float]:
    """Statements per second and CPU % of one core over SECONDS of doing nothing."""
    statements, cpu, began = proxy.statements, cpu_seconds(server), time.perf_counter()
    await asyncio.sleep(SECONDS)
    elapsed = time.perf_counter() - began
    return (proxy.statements - statements) / elapsed, (cpu_seconds(server) - cpu) / elapsed * 100


@dataclass
class Result:
    base_rate: float
    base_cpu: float
    rate: float
    cpu: float
    opened: int
    errors: int
    push_p50: float
    push_max: float
    pushed: int
    opening: int
    push_statements: int


async def drive(port: int, proxy: StatementProxy, server: psutil.Process, seed) -> Result:  # type: ignore[no-untyped-def]
    await asyncio.sleep(SETTLE)
    base_rate, base_cpu = await window(proxy, server)
    stop = asyncio.Event()
    asset_tabs = [Tab() for _ in range(ASSET_PAGES)]
    ops_tabs = [Tab() for _ in range(OPS_PAGES)]
    asset_path = f"/asset?id={seed.asset_id}"
    tasks = [
        asyncio.create_task(
            open_tab(port, seed.members[i % len(seed.members)], asset_path, t, stop)
        )
        for i, t in enumerate(asset_tabs)
    ]
    tasks += [
        asyncio.create_task(
            open_tab(port, seed.admins[i % len(seed.admins)], "/operations", t, stop)
        )
        for i, t in enumerate(ops_tabs)
    ]
    tabs = asset_tabs + ops_tabs
    before_opening = proxy.statements
    async with asyncio.timeout(600):
        for t in tabs:
            await t.loaded.wait()
    await asyncio.sleep(SETTLE)  # every page and bell is up and following
    opening = proxy.statements - before_opening
    proxy.texts.clear()
    rate, cpu = await window(proxy, server)
    if DEBUG:
        print("\n".join(proxy.texts[:40]), flush=True)
    before_push = proxy.statements
    # One comment on the version every asset tab shows: until each tab received it.
    body = f"Pushed {uuid.uuid4().hex[:8]}"
    for t in asset_tabs:
        t.marker = body
    posted = time.perf_counter()
    await asyncio.to_thread(seed.comment, body)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            while any(t.seen_at is None for t in asset_tabs if not t.errors):
                await asyncio.sleep(0.01)
    delays = sorted((t.seen_at - posted) * 1000 for t in asset_tabs if t.seen_at is not None)
    push_statements = proxy.statements - before_push
    stop.set()
    await asyncio.wait(tasks, timeout=60)
    return Result(
        base_rate,
        base_cpu,
        rate,
        cpu,
        len(tabs),
        sum(t.errors for t in tabs),
        delays[len(delays) // 2] if delays else float("nan"),
        delays[-1] if delays else float("nan"),
        len(delays),
        opening,
        push_statements,
    )


@dataclass
class Seed:
    asset_id: str
    members: list[str]
    admins: list[str]
    comment: object


def seed() -> Seed:
    from portal.db import tenant_session
    from portal.services.accounts.auth import sign_in
    from portal.services.media.comments import add_asset_comment
    from tests.factories import PASSWORD, make_studio, make_user
    from tests.share_support import ready_asset

    studio = make_studio()
    asset = ready_asset(studio)
    members = [studio.member] + [make_user(tenant=studio.agency) for _ in range(USERS - 1)]
    cookies = [f"portal_session={sign_in(email=m.email, password=PASSWORD).token}" for m in members]
    admins = [
        f"portal_session={sign_in(email=studio.admin.email, password=PASSWORD).token}"
        for _ in range(5)
    ]

    def comment(body: str) -> None:
        with tenant_session(studio.member_ctx) as session:
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=studio.member.id,
                body=body,
                timecode="1",
            )

    return Seed(str(asset.id), cookies, admins, comment)


def main() -> None:
    import psycopg

    os.environ.pop("GRANIAN_WORKERS", None)
    with scratch_database() as owner:
        data = seed()
        upstream = psycopg.conninfo.conninfo_to_dict(owner)
        with StatementProxy(upstream) as proxy:
            runtime = (
                f"postgresql+psycopg://portal_app@127.0.0.1:{proxy.port}/{upstream['dbname']}"
                "?sslmode=disable&gssencmode=disable"
            )
            os.environ["APP_DATABASE_URL"] = runtime
            try:
                port = free_port()
                with serve_portal(port, backend_only=True, log_name="bench-idle.log") as server:
                    result = asyncio.run(drive(port, proxy, server, data))
            finally:
                os.environ.pop("APP_DATABASE_URL", None)
    pages = f"{ASSET_PAGES} asset + {OPS_PAGES} operations pages"
    print(
        f"idle_pages: {result.opened} tabs ({result.errors} errors); idle {SECONDS:g} s: "
        f"{result.rate:.2f} statements/s, backend CPU {result.cpu:.1f} % of one core; no tab "
        f"open: {result.base_rate:.2f} statements/s, {result.base_cpu:.1f} %; a comment reached "
        f"{result.pushed}/{ASSET_PAGES} asset tabs, p50 {result.push_p50:.0f} ms, "
        f"max {result.push_max:.0f} ms; statements: opening the tabs {result.opening}, the "
        f"comment's re-reads {result.push_statements}",
        flush=True,
    )
    goal(
        f"idle_pages: {pages} open, nothing happening",
        f"{result.rate:.2f} statements/s, backend CPU {result.cpu:.1f} % of one core",
        f"{result.base_rate:.2f} statements/s, {result.base_cpu:.1f} % (same server, no tab open)",
        None,
        "≤ 1 statement/s and ≤ 5 % of one core",
        result.rate <= 1 and result.cpu <= 5 and result.errors == 0,
    )
    goal(
        f"idle_pages: a new comment on {ASSET_PAGES} open asset pages",
        f"on {result.pushed} pages, p50 {result.push_p50:.0f} ms, max {result.push_max:.0f} ms",
        target="every page within 1 s",
        met=result.pushed == ASSET_PAGES and result.push_max <= 1000,
    )


if __name__ == "__main__":
    main()
