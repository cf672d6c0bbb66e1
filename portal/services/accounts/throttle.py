"""Sign-in and passcode throttling: too many failures per key (an account, a link) or per
client address in a window.

Atomic: `reserve` takes a transaction-scoped advisory lock on every key, counts the failures and
records this attempt as one more failure before the caller verifies anything, so however many
requests race, at most the limit of them ever reach the password check. A verified attempt then
turns its reservation into a success (`succeeded`), which does not count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, func, select, text

from portal.db import tenant_session
from portal.models import LoginAttempt
from portal.services.core.errors import Throttled
from portal.settings import get_settings


@dataclass(frozen=True)
class Reservation:
    """The failure rows written for one attempt before it was verified."""

    kind: str
    ids: tuple[UUID, ...]
    rows: tuple[tuple[str, str], ...]  # (scope, key hash)


def _key(scope: str, value: str) -> str:
    # Keyed hashes: the table never holds an email or an IP address in the clear.
    secret = get_settings().portal_secret_key.get_secret_value()
    return hashlib.sha256(f"{secret}:{scope}:{value.strip().lower()}".encode()).hexdigest()


def _keys(email: str, ip: str | None, limits: tuple[int, int] | None) -> list[tuple[str, str, int]]:
    settings = get_settings()
    per_account, per_ip = limits or (
        settings.throttle_max_per_account,
        settings.throttle_max_per_ip,
    )
    keys = [("account", _key("account", email), per_account)]
    if ip:
        keys.append(("ip", _key("ip", ip), per_ip))
    return keys


def _lock_id(kind: str, key: str) -> int:
    """A signed 64-bit advisory lock id for one (kind, key)."""
    digest = hashlib.sha256(f"throttle:{kind}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def reserve(
    *, kind: str, email: str, ip: str | None, limits: tuple[int, int] | None = None
) -> Reservation:
    """Raise Throttled when the key or the address has used up its failures; else count this
    attempt as a failure now (committed before any verification), under per-key locks.

    `email` is whatever is throttled per key (a share link's id for passcodes); `limits` =
    (per key, per address) overrides the sign-in limits.
    """
    keys = _keys(email, ip, limits)
    window = get_settings().throttle_window_minutes
    since = datetime.now(UTC) - timedelta(minutes=window)
    with tenant_session(None) as session:
        # Sorted, so two attempts sharing keys always lock them in the same order.
        for lock in sorted({_lock_id(kind, key) for _scope, key, _limit in keys}):
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock})
        for _scope, key, limit in keys:
            if _failures(session, kind, key, since) >= limit:
                raise Throttled(f"Too many attempts. Please wait {window} minutes and try again.")
        rows = [LoginAttempt(kind=kind, key_hash=k, scope=s, succeeded=False) for s, k, _ in keys]
        session.add_all(rows)
        session.flush()
        return Reservation(kind, tuple(r.id for r in rows), tuple((s, k) for s, k, _ in keys))


def _failures(session, kind: str, key: str, since: datetime) -> int:  # type: ignore[no-untyped-def]
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key_hash == key, LoginAttempt.kind == kind)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.created_at > since)
    )
    return count or 0


def succeeded(reservation: Reservation) -> None:
    """The reserved attempt was verified: it stops counting as a failure (kept as a success)."""
    with tenant_session(None) as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id.in_(reservation.ids)))
        session.add_all(
            LoginAttempt(kind=reservation.kind, key_hash=key, scope=scope, succeeded=True)
            for scope, key in reservation.rows
        )
