"""The per-event session check of Reflex handlers: one statement, never a late revocation.

Every event asks the database once (`auth_session_check`, migration 0019: one autocommit
statement over the token hash's unique index and two primary keys), so sign-out, revoke,
deactivation, a role change or a tenant switched off show on the very next event in every
worker and on every host, with no invalidation message to lose or to wait for. What this
process keeps per session (keyed by the token's SHA-256, never the token) is what the check
need not redo each time: the tenant's branding as shown (accent colour, logo URL — a file stat),
rebuilt only when the tenant's stored branding changes, and when it last asked the database to
move `last_seen_at`, which it asks at most once a minute per session (the function itself
writes only when the stored value is more than a minute old, so several workers together still
write at most about once a minute). Entries unused for ENTRY_TTL_SECONDS are dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from portal.db import app_pool
from portal.services.accounts.auth import SessionUser
from portal.services.accounts.branding import logo_url_from
from portal.services.accounts.passwords import token_hash
from portal.services.core.branding import accent_from
from portal.settings import get_settings

# How often one process asks the database to move a session's last_seen_at.
TOUCH_SECONDS = 60.0
# An entry unused this long is forgotten (its next event rebuilds it: still one statement).
ENTRY_TTL_SECONDS = 600.0
MAX_ENTRIES = 20_000
MAX_TOKEN = 200

_CHECK = "SELECT * FROM auth_session_check(%s, %s, %s)"


@dataclass(frozen=True)
class Branding:
    """How the signed-in user's tenant looks: carried with the session."""

    accent_color: str
    logo_url: str


@dataclass(frozen=True)
class CheckedSession:
    """A live session's user and its tenant's branding."""

    user: SessionUser
    branding: Branding


@dataclass
class _Entry:
    branding_source: Any
    branding: Branding
    touched_at: float
    used_at: float


Connect = Callable[[], AbstractContextManager[psycopg.Connection]]


@contextmanager
def _pooled() -> Iterator[psycopg.Connection]:
    with app_pool().connection() as conn:
        yield conn


class SessionCache:
    """Checks session tokens; `clock` (seconds, monotonic) and `connect` are for tests."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, connect: Connect = _pooled
    ) -> None:
        self.clock = clock
        self.connect = connect
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def check(self, token: str | None) -> CheckedSession | None:
        """The live session behind `token` (one statement), or None."""
        if not token or len(token) > MAX_TOKEN:
            return None
        key = token_hash(token)
        now = self.clock()
        entry = self._entries.get(key)
        touch = entry is None or now - entry.touched_at >= TOUCH_SECONDS
        row = self._ask(key, touch)
        if row is None:
            with self._lock:
                self._entries.pop(key, None)
            return None
        user = SessionUser.from_row(row)
        source = row["branding"]
        if entry is not None and entry.branding_source == source:
            branding = entry.branding
        else:
            branding = Branding(accent_from(source), logo_url_from(user.tenant_id, source))
        touched_at = now if touch or entry is None else entry.touched_at
        with self._lock:
            if key not in self._entries and len(self._entries) >= MAX_ENTRIES:
                self._evict(now)
            self._entries[key] = _Entry(source, branding, touched_at, now)
        return CheckedSession(user, branding)

    def _ask(self, key: str, touch: bool) -> dict[str, Any] | None:
        """The one statement; asked again once if a pooled connection had gone stale (a
        server or pooler closed it while idle): the pool drops it, the retry gets another.
        Safe to repeat: the touch only ever moves last_seen_at to now()."""
        params = (key, get_settings().session_idle_minutes, touch)
        for attempt in (1, 2):
            try:
                with self.connect() as conn:
                    return conn.cursor(row_factory=dict_row).execute(_CHECK, params).fetchone()
            except psycopg.OperationalError:
                if attempt == 2:
                    raise
        return None

    def _evict(self, now: float) -> None:
        """Drop entries unused for the TTL; when none are, the least recently used tenth."""
        stale = [k for k, e in self._entries.items() if now - e.used_at >= ENTRY_TTL_SECONDS]
        if not stale:
            by_use = sorted(self._entries, key=lambda k: self._entries[k].used_at)
            stale = by_use[: max(1, len(by_use) // 10)]
        for key in stale:
            del self._entries[key]

    def forget(self, token: str | None) -> None:
        """Drop what this process keeps for `token` (sign-out; the check alone would do)."""
        if token:
            with self._lock:
                self._entries.pop(token_hash(token), None)

    def __len__(self) -> int:
        return len(self._entries)


SESSIONS = SessionCache()


def current_user(token: str | None) -> SessionUser | None:
    """The live session's user behind `token` through this process's cache (one statement)."""
    checked = SESSIONS.check(token)
    return checked.user if checked else None
