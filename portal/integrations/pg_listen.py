"""Live pages across backend workers: one LISTEN connection per worker process.

A trigger on notifications runs `pg_notify('portal_notifications', <user id>)` on insert and
when read_at changes (the bell); triggers on assets, asset comments, job runs and webhook
events run `pg_notify('portal_changes', <key>)` with a key naming what changed —
`asset:<id>`, `comments:<asset id>`, `project:<id>`, `ops` (migration 0028). Every worker process
keeps one autocommit connection LISTENing to both and wakes the open pages that subscribed to
that key. Postgres rather than Redis: the portal already depends on it, the notification is
sent by the same transaction that writes the row (delivered only on commit, never for a
rolled-back action; identical keys of one transaction arrive once), and it works without Redis
on a single host. A lost connection wakes every page once it is back (each re-reads what it
shows), so nothing is missed for long and no page needs to poll (see docs/notifications.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import psycopg

CHANNEL = "portal_notifications"
# Keys of what changed (see the module docstring): payloads are keys as they are.
CHANGES = "portal_changes"
# Pages followed by one process; past this, pages fall back to slow re-reads.
MAX_WAITERS = 2000
RECONNECT_SECONDS = 5.0
# A page subscribing just after it read (its first read is not in a live loop yet) still sees a
# change announced this recently: the moment between its read and its subscription is covered.
RECENT_SECONDS = 10.0

log = logging.getLogger(__name__)


class Subscription:
    """One page's interest in some keys: what fired is kept until the page takes it, so a
    change that lands while the page is reading is not lost."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = frozenset(keys)
        self._fired: set[str] = set()
        self._event = asyncio.Event()

    def fire(self, key: str) -> None:
        self._fired.add(key)
        self._event.set()

    @property
    def pending(self) -> bool:
        return self._event.is_set()

    async def next(self, timeout: float) -> set[str]:
        """The keys that fired since the last call, waiting up to `timeout` seconds for one
        (an empty set when none did)."""
        if not self._event.is_set():
            try:
                async with asyncio.timeout(timeout):
                    await self._event.wait()
            except TimeoutError:
                return set()
        self._event.clear()
        fired, self._fired = self._fired, set()
        return fired


class Listener:
    """Wakes subscribed pages by key (a user id for the bell, a change key for pages); the
    LISTEN task starts with the first subscription."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, set[Subscription]] = {}
        # When each key last changed (monotonic seconds), kept for RECENT_SECONDS.
        self._recent: dict[str, float] = {}
        # How many wake-ups this process has had: a read begun at a later count began after
        # those notifications arrived, so after their changes committed.
        self.sequence = 0
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.connected = False

    def _count(self) -> int:
        return len({s for subs in self._subscriptions.values() for s in subs})

    @asynccontextmanager
    async def subscribe(self, keys: Iterable[str]) -> AsyncIterator[Subscription | None]:
        """Follow `keys` while inside; None when this process follows too many pages already
        (the caller then re-reads on its own, slowly)."""
        if self._count() >= MAX_WAITERS:
            yield None
            return
        self._ensure_task()
        subscription = Subscription(keys)
        since = time.monotonic() - RECENT_SECONDS
        for key in subscription.keys:
            self._subscriptions.setdefault(key, set()).add(subscription)
            if self._recent.get(key, since) > since:
                subscription.fire(key)
        try:
            yield subscription
        finally:
            for key in subscription.keys:
                subs = self._subscriptions.get(key, set())
                subs.discard(subscription)
                if not subs:
                    self._subscriptions.pop(key, None)

    def _ensure_task(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop, self._task = loop, loop.create_task(self._run())

    def _wake(self, key: str | None = None) -> None:
        """Wake the pages following `key`; every page, with each of its keys, when None."""
        self.sequence += 1
        if key:
            now = time.monotonic()
            if len(self._recent) > 10 * MAX_WAITERS:
                self._recent = {k: t for k, t in self._recent.items() if t > now - RECENT_SECONDS}
            self._recent[key] = now
        subscribed = {key: self._subscriptions.get(key, set())} if key else self._subscriptions
        for fired, subs in list(subscribed.items()):
            for subscription in list(subs):
                subscription.fire(fired)

    async def _run(self) -> None:
        from portal.db import direct_url, libpq_conninfo

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    libpq_conninfo(direct_url()), autocommit=True
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    await conn.execute(f"LISTEN {CHANGES}")
                    self.connected = True
                    self._wake()  # anything missed while reconnecting: refresh everyone
                    async for note in conn.notifies():
                        self._wake(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarted, a network blip: retry
                log.warning(
                    "notification listener lost its connection (%s: %s); live pages catch up"
                    " when it reconnects in %.0f s",
                    type(exc).__name__,
                    str(exc)[:200],
                    RECONNECT_SECONDS,
                )
            finally:
                self.connected = False
            await asyncio.sleep(RECONNECT_SECONDS)

    def waiting(self, key: str) -> bool:
        """Whether a page follows `key` here, not yet woken (tests order a NOTIFY by it)."""
        return any(not s.pending for s in self._subscriptions.get(key, ()))

    async def stop(self) -> None:
        """Stop listening (tests, shutdown)."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            except Exception:  # stopping anyway; say what the task died of
                log.exception("notification listener failed while stopping")
            self._task = None


LISTENER = Listener()
