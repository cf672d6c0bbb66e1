"""Live loops (background events that follow a page) belong to the worker process running them.

A "loop running" flag kept in state is wrong once state lives in Redis: it outlives the worker
that ran the loop (a restart, a crash, a deploy) and would stop the tab from ever starting
another. So which loops run is process memory, like the loops themselves: a handler starts a
loop unless one runs *here* for that tab, and a loop stops once its tab's socket is no longer on
this worker (the tab reconnected to another worker, which starts its own).

Live pages are pushed, not polled (`changes`): a loop waits on this process's one LISTEN
connection for the change keys its page shows (portal/integrations/pg_listen.py) and does no
database work until one fires; then the page re-reads only what that key names, outside the
state lock, and assigns only what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Hashable, Iterable
from typing import Any, TypeVar

from portal.integrations.pg_listen import LISTENER
from portal.integrations.reflex_runtime import socket_here

# An idle live page looks this often (no database work) whether its tab is still here and
# still shows what the loop follows.
IDLE_CHECK_SECONDS = 30.0
# When this process follows too many pages to subscribe one more, that page re-reads this often.
FALLBACK_SECONDS = 30.0
# A live loop ends after this many changes (a page open for days starts a new one on reload).
MAX_CHANGES = 10_000

_running: set[tuple[str, str]] = set()
# Re-reads in flight, shared by the tabs a change woke: key -> (LISTENER.sequence then, task).
_reads: dict[Hashable, tuple[int, asyncio.Future[Any]]] = {}
T = TypeVar("T")


def on_page(path: str, route: str) -> bool:
    """Whether the tab's path is `route` (a production build may add a trailing slash)."""
    return (path or "/").rstrip("/") == route.rstrip("/")


def running(kind: str, client_token: str) -> bool:
    """Whether this process already runs a `kind` loop for the tab."""
    return (kind, client_token) in _running


def claim(kind: str, client_token: str) -> bool:
    """Take the `kind` loop for the tab in this process; False when one runs already."""
    key = (kind, client_token)
    if key in _running:
        return False
    _running.add(key)
    return True


def release(kind: str, client_token: str) -> None:
    _running.discard((kind, client_token))


async def changes(
    kind: str, client_token: str, keys: Iterable[str], *, limit: int = MAX_CHANGES
) -> AsyncGenerator[set[str], None]:
    """What changed for a live page: the keys that fired since the page last looked (all of
    them after the LISTEN connection came back), or an empty set every IDLE_CHECK_SECONDS so
    the caller can check, without the database, that its page still shows these keys. Runs
    while this process owns the tab's `kind` loop and the tab's socket is here; nothing when
    a loop runs already. Use inside `contextlib.aclosing(...)`."""
    if not claim(kind, client_token):
        return
    wanted = set(keys)
    try:
        async with LISTENER.subscribe(wanted) as subscription:
            for _ in range(limit):
                if subscription is None:
                    await asyncio.sleep(FALLBACK_SECONDS)
                    fired = wanted
                else:
                    fired = await subscription.next(IDLE_CHECK_SECONDS)
                if not socket_here(client_token):
                    return
                yield fired
    finally:
        release(kind, client_token)


async def read_once(key: Hashable, woken_at: int, read: Callable[[], T]) -> T:
    """`read()` in a worker thread, shared by the tabs asking the same `key` meanwhile (the same
    viewer re-reading the same thing: one change wakes many tabs). A tab joins a read only if it
    began at or after `woken_at` (LISTENER.sequence when the tab's change had arrived), so the
    read sees that change; otherwise it starts its own. Domain errors reach every caller."""
    entry = _reads.get(key)
    if entry is None or entry[0] < woken_at:
        task: asyncio.Future[Any] = asyncio.ensure_future(asyncio.to_thread(read))
        mine = entry = (LISTENER.sequence, task)
        _reads[key] = mine

        def forget(_: asyncio.Future[Any]) -> None:
            if _reads.get(key) is mine:
                del _reads[key]

        task.add_done_callback(forget)
    return await asyncio.shield(entry[1])
