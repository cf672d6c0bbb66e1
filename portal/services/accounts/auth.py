"""Sign-in and sessions: credentials checked with argon2, session tokens stored as SHA-256."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import text, update

from portal.db import TenantContext, tenant_session
from portal.models import User, UserSession
from portal.services.accounts import throttle
from portal.services.accounts.passwords import new_token, token_hash, verify_and_upgrade
from portal.services.core.errors import InvalidCredentials, InvalidInput, Throttled
from portal.services.core.validation import CONTROL
from portal.settings import get_settings

MAX_EMAIL = 320
MAX_PASSWORD = 1024
# The HttpOnly cookie carrying the raw session token.
SESSION_COOKIE = "portal_session"

# What the sign-in page says for each error code it is redirected with.
LOGIN_MESSAGES = {
    "missing": "Enter your email and password.",
    "email": "Enter your email address.",
    "password": "Enter your password.",
    "bad_email": "Enter a valid email address.",
    "credentials": InvalidCredentials.user_message,
    "session": "Your session has ended. Please sign in again.",
    "origin": "That sign-in request did not come from this site. Please try again.",
    "throttled": Throttled.user_message,
    "link": "This link is invalid, has expired or was already used. Ask for a new one.",
    "error": "Something went wrong. Please try again.",
}
LOGIN_NOTICES = {
    "signed_out": "You have been signed out.",
    "magic_sent": "If that email belongs to an account, a sign-in link is on its way.",
    "reset_sent": "If that email belongs to an account, a password reset link is on its way.",
    "password_reset": "Your password was changed. Sign in with the new one.",
}


@dataclass(frozen=True)
class SessionUser:
    """The signed-in user as the app needs it; no secrets."""

    session_id: UUID
    user_id: UUID
    tenant_id: UUID
    role: str
    name: str
    email: str
    tenant_name: str
    tenant_type: str

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> SessionUser:
        """From a row of auth_session_lookup / auth_session_check (same columns)."""
        return cls(**{name: row[name] for name in SESSION_USER_FIELDS})

    @property
    def context(self) -> TenantContext:
        """The RLS context for this user (admins of the admin tenant get the admin scope)."""
        return TenantContext(
            tenant_id=self.tenant_id,
            user_id=self.user_id,
            admin_scope=self.role == "admin" and self.tenant_type == "admin",
        )


SESSION_USER_FIELDS = tuple(f.name for f in fields(SessionUser))


@dataclass(frozen=True)
class NewSession:
    """A freshly created session: the raw token goes into the cookie and nowhere else."""

    token: str
    expires_at: datetime


def validate_login_form(*, email: str, password: str) -> tuple[str, str]:
    """Normalise and check the sign-in form; raise InvalidInput with a clear message."""
    email = (email or "").strip()
    if not email and not password:
        raise InvalidInput(LOGIN_MESSAGES["missing"], code="missing")
    if not email:
        raise InvalidInput(LOGIN_MESSAGES["email"], code="email")
    if not password:
        raise InvalidInput(LOGIN_MESSAGES["password"], code="password")
    if len(email) > MAX_EMAIL or "@" not in email or CONTROL.search(email):
        raise InvalidInput(LOGIN_MESSAGES["bad_email"], code="bad_email")
    if len(password) > MAX_PASSWORD:
        raise InvalidCredentials()
    return email, password


def sign_in(
    *, email: str, password: str, user_agent: str = "", ip: str | None = None
) -> NewSession:
    """Check credentials (throttled per account and address) and open a session."""
    email, password = validate_login_form(email=email, password=password)
    reservation = throttle.reserve(kind="login", email=email, ip=ip)
    with tenant_session(None) as session:
        row = (
            session.execute(text("SELECT * FROM auth_login_lookup(:email)"), {"email": email})
            .mappings()
            .first()
        )
    matches, upgraded = verify_and_upgrade(password, row["password_hash"] if row else None)
    active = row is not None and row["status"] == "active" and row["tenant_status"] == "active"
    if not (matches and active):
        raise InvalidCredentials()
    throttle.succeeded(reservation)
    ctx = TenantContext(tenant_id=row["tenant_id"], user_id=row["user_id"])
    return open_session(ctx, user_agent=user_agent, new_password_hash=upgraded)


def open_session(
    ctx: TenantContext, *, user_agent: str = "", new_password_hash: str | None = None
) -> NewSession:
    """Create a session for `ctx.user_id`, record the login (and an upgraded password hash)."""
    settings = get_settings()
    token = new_token()
    now = datetime.now(UTC)
    expires_at = now + timedelta(hours=settings.session_absolute_hours)
    values: dict[str, object] = {"last_login_at": now}
    if new_password_hash:
        values["password_hash"] = new_password_hash
    with tenant_session(ctx) as session:
        session.add(
            UserSession(
                tenant_id=ctx.tenant_id,
                user_id=ctx.user_id,
                token_hash=token_hash(token),
                expires_at=expires_at,
                user_agent=(user_agent or "")[:500],
            )
        )
        session.execute(update(User).where(User.id == ctx.user_id).values(**values))
    return NewSession(token=token, expires_at=expires_at)


def resolve_session(token: str | None) -> SessionUser | None:
    """The user behind a session token, or None when missing, unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    settings = get_settings()
    with tenant_session(None) as session:
        row = (
            session.execute(
                text("SELECT * FROM auth_session_lookup(:hash, :idle)"),
                {"hash": token_hash(token), "idle": settings.session_idle_minutes},
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    user = SessionUser.from_row(row)
    now = datetime.now(UTC)
    with tenant_session(user.context) as session:
        # Keeps the idle timer running; written at most once a minute per session.
        session.execute(
            update(UserSession)
            .where(UserSession.id == user.session_id)
            .where(UserSession.last_seen_at < now - timedelta(minutes=1))
            .values(last_seen_at=now)
        )
    return user


def sign_out(*, token: str | None) -> None:
    """Revoke the session behind `token` (no-op when it is not a live session)."""
    user = resolve_session(token)
    if user is None:
        return
    with tenant_session(user.context) as session:
        session.execute(
            update(UserSession)
            .where(UserSession.id == user.session_id)
            .values(revoked_at=datetime.now(UTC))
        )
