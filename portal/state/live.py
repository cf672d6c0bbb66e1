"""Live loops (background events that follow a page) belong to the worker process running them.

A "loop running" flag kept in state is wrong once state lives in Redis: it outlives the worker
that ran the loop (a restart, a crash, a deploy) and would stop the tab from ever starting
another. So which loops run is process memory, like the loops themselves: a handler starts a
loop unless one runs *here* for that tab, and a loop stops once its tab's socket is no longer on
this worker (the tab reconnected to another worker, which starts its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from portal.integrations.reflex_runtime import socket_here

_running: set[tuple[str, str]] = set()


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


async def ticks(kind: str, client_token: str, seconds: float, limit: int) -> AsyncIterator[int]:
    """A polling loop's periods: at most `limit`, `seconds` apart, while this process owns the
    tab's `kind` loop and the tab's socket is still here. Nothing when a loop runs already.
    Use inside `contextlib.aclosing(...)` so the loop is released as soon as the caller stops."""
    if not claim(kind, client_token):
        return
    try:
        for tick in range(limit):
            await asyncio.sleep(seconds)
            if not socket_here(client_token):
                return
            yield tick
    finally:
        release(kind, client_token)
