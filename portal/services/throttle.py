"""Sign-in throttling: too many failures per account or per client address in a window."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from portal.db import tenant_session
from portal.models import LoginAttempt
from portal.services.errors import PortalError
from portal.settings import get_settings


class Throttled(PortalError):
    user_message = "Too many attempts. Please wait 15 minutes and try again."
    code = "throttled"


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


def check(*, kind: str, email: str, ip: str | None, limits: tuple[int, int] | None = None) -> None:
    """Raise Throttled when the account or the address has used up its failures.

    `email` is whatever is throttled per key (a share link's id for passcodes); `limits` =
    (per key, per address) overrides the sign-in limits.
    """
    settings = get_settings()
    since = datetime.now(UTC) - timedelta(minutes=settings.throttle_window_minutes)
    with tenant_session(None) as session:
        for _scope, key, limit in _keys(email, ip, limits):
            failures = session.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.key_hash == key, LoginAttempt.kind == kind)
                .where(LoginAttempt.succeeded.is_(False), LoginAttempt.created_at > since)
            )
            if (failures or 0) >= limit:
                raise Throttled(
                    f"Too many attempts. Please wait {settings.throttle_window_minutes} minutes "
                    "and try again."
                )


def record(*, kind: str, email: str, ip: str | None, succeeded: bool) -> None:
    """Remember one attempt (failures count towards the limits)."""
    with tenant_session(None) as session:
        for scope, key, _limit in _keys(email, ip, None):
            session.add(LoginAttempt(kind=kind, key_hash=key, scope=scope, succeeded=succeeded))


def purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget attempts older than any window (run by a periodic job)."""
    with tenant_session(None) as session:
        cutoff = datetime.now(UTC) - older_than
        result = session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < cutoff))
        return result.rowcount or 0
