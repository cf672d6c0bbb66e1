"""Live bell updates across backend workers: one LISTEN connection per worker process.

A trigger on notifications runs `pg_notify('portal_notifications', <user id>)` on insert and
when read_at changes; every worker process keeps one autocommit connection LISTENing and wakes
the open pages of that user. Postgres rather than Redis: the portal already depends on it, the
notification is sent by the same transaction that writes the row (delivered only on commit,
never for a rolled-back action), and it works without Redis on a single host. Pages also poll
every POLL_SECONDS, so a lost connection only delays an update (see docs/notifications.md).
"""

from __future__ import annotations

import asyncio
import logging

import psycopg

CHANNEL = "portal_notifications"
# Open pages waiting in one process; past this, pages fall back to polling only.
MAX_WAITERS = 2000
RECONNECT_SECONDS = 5.0

log = logging.getLogger(__name__)


class Listener:
    """Wakes waiters by user id; the LISTEN task starts with the first waiter."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.connected = False

    def _count(self) -> int:
        return sum(len(events) for events in self._waiters.values())

    def _ensure_task(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop, self._task = loop, loop.create_task(self._run())

    async def wait(self, user_id: str, timeout: float) -> bool:
        """Wait until something changes for `user_id` (True) or the timeout passes (False)."""
        if self._count() >= MAX_WAITERS:
            await asyncio.sleep(timeout)
            return False
        self._ensure_task()
        event = asyncio.Event()
        self._waiters.setdefault(user_id, set()).add(event)
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            events = self._waiters.get(user_id, set())
            events.discard(event)
            if not events:
                self._waiters.pop(user_id, None)

    def _wake(self, user_id: str | None = None) -> None:
        targets = [self._waiters.get(user_id, set())] if user_id else self._waiters.values()
        for events in targets:
            for event in list(events):
                event.set()

    async def _run(self) -> None:
        from portal.db import direct_url, libpq_conninfo

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    libpq_conninfo(direct_url()), autocommit=True
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.connected = True
                    self._wake()  # anything missed while reconnecting: refresh everyone
                    async for note in conn.notifies():
                        self._wake(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database restarted, a network blip: poll, retry
                log.warning(
                    "notification listener lost its connection (%s: %s); pages poll until it"
                    " reconnects in %.0f s",
                    type(exc).__name__,
                    str(exc)[:200],
                    RECONNECT_SECONDS,
                )
            finally:
                self.connected = False
            await asyncio.sleep(RECONNECT_SECONDS)

    def waiting(self, user_id: str) -> bool:
        """Whether a page of `user_id` waits here, not yet woken (tests order a NOTIFY by it)."""
        return any(not event.is_set() for event in self._waiters.get(user_id, ()))

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
