"""Personal access tokens for the REST API: created with a name, scopes and an optional expiry,
shown once, stored as SHA-256 only (like sessions and one-time links), revoked by their owner or
by an admin of the tenant. Each API call checks its token with one statement
(`api_token_check`, migration 0021) that also moves `last_used_at` (at most once a minute) and
counts the call in the token's one-minute rate window."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from sqlalchemy import update
from sqlmodel import col, select

from portal.db import app_pool, tenant_session
from portal.models import ApiToken, User
from portal.services.accounts.auth import SessionUser
from portal.services.accounts.passwords import token_hash
from portal.services.accounts.view_types import (
    API_ACCESS,
    API_EXPIRY_DAYS,
    API_FAMILIES,
    ApiTokenView,
)
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.locale import format_datetime
from portal.services.core.permissions import Action, can, require
from portal.services.core.validation import clean_text, parse_uuid

PREFIX = "mmp_"
MAX_TOKEN = 200
MAX_NAME = 100
MAX_EXPIRY_DAYS = 365
SCOPES = frozenset(f"{family}:{access}" for family in API_FAMILIES for access in ("read", "write"))


@dataclass(frozen=True)
class NewApiToken:
    """A freshly created token: `token` is shown once and stored nowhere."""

    id: str
    token: str


@dataclass(frozen=True)
class ApiPrincipal:
    """Who calls the API with a live token. `user.session_id` is the token's id (no session)."""

    user: SessionUser
    token_id: UUID
    scopes: frozenset[str]
    calls: int
    retry_after: int

    def allows(self, family: str, *, write: bool) -> bool:
        """Write needs `family:write`; read is granted by either scope of the family."""
        if write:
            return f"{family}:write" in self.scopes
        return bool({f"{family}:read", f"{family}:write"} & self.scopes)


def scopes_from_form(form: Mapping[str, Any]) -> list[str]:
    """The scopes chosen on the page: one `scope_<family>` field per family ('' | read | write)."""
    chosen: list[str] = []
    for family in API_FAMILIES:
        access = str(form.get(f"scope_{family}", "") or "")
        if access not in API_ACCESS:
            raise InvalidInput("Choose no access, read, or read and write for each area.")
        if access:
            chosen.append(f"{family}:{access}")
    return chosen


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    if not chosen:
        raise InvalidInput("Give the token access to at least one area.", code="scopes")
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise InvalidInput(f"Unknown scope: {unknown[0][:50]}.", code="scopes")
    return chosen


def _expiry(expires_days: int | str | None, now: datetime) -> datetime | None:
    if expires_days is None or expires_days == "":
        return None
    try:
        days = int(expires_days)
    except (TypeError, ValueError):
        raise InvalidInput("Choose when the token expires.", code="expiry") from None
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(
            f"A token expires within 1 to {MAX_EXPIRY_DAYS} days, or never.", code="expiry"
        )
    return now + timedelta(days=days)


def create_token(
    *, user: SessionUser, name: str, scopes: Iterable[str], expires_days: int | str | None = None
) -> NewApiToken:
    """A new token for the signed-in user; the raw token is returned once, only its hash kept."""
    require(user, Action.VIEW_PORTAL)
    label = clean_text(name, label="Name", max_length=MAX_NAME)
    chosen = _clean_scopes(scopes)
    now = datetime.now(UTC)
    expires_at = _expiry(expires_days, now)
    raw = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        name=label,
        token_hash=token_hash(raw),
        prefix=raw[: len(PREFIX) + 6],
        scopes=chosen,
        expires_at=expires_at,
    )
    with tenant_session(user.context) as session:
        session.add(row)
        session.flush()
    return NewApiToken(id=str(row.id), token=raw)


def _status(row: ApiToken, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active"


def _scope_text(scopes: list[str]) -> str:
    parts = []
    for scope in sorted(scopes):
        family, _, access = scope.partition(":")
        parts.append(f"{family} ({access})")
    return ", ".join(parts)


def list_tokens(*, user: SessionUser) -> list[ApiTokenView]:
    """The user's tokens that are not revoked, newest first; an admin (allowed to manage users)
    sees every token in their scope, with its owner."""
    now = datetime.now(UTC)
    query = (
        select(ApiToken, User.name, User.email)
        .join(User, col(User.id) == col(ApiToken.user_id))
        .where(col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
        .limit(500)
    )
    if not can(user, Action.MANAGE_USERS):
        query = query.where(col(ApiToken.user_id) == user.user_id)
    with tenant_session(user.context) as session:
        rows = session.execute(query).all()
    return [
        ApiTokenView(
            id=str(token.id),
            name=token.name,
            prefix=token.prefix,
            scopes=_scope_text(token.scopes),
            owner=owner_name or owner_email,
            created_at=format_datetime(token.created_at),
            last_used_at=format_datetime(token.last_used_at) if token.last_used_at else "Never",
            expires_at=format_datetime(token.expires_at) if token.expires_at else "Never",
            status=_status(token, now),
            mine=token.user_id == user.user_id,
        )
        for token, owner_name, owner_email in rows
    ]


def revoke_token(*, user: SessionUser, token_id: str | UUID) -> None:
    """Revoke a token: one's own, or (admins) any in the tenant scope; it fails on its next call.
    Someone else's token, or one out of scope, is simply not found."""
    target = parse_uuid(token_id)
    query = (
        update(ApiToken)
        .where(col(ApiToken.id) == target, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=datetime.now(UTC), revoked_by=user.user_id)
    )
    if not can(user, Action.MANAGE_USERS):
        query = query.where(col(ApiToken.user_id) == user.user_id)
    with tenant_session(user.context) as session:
        done = session.execute(query)
        if not done.rowcount:  # type: ignore[attr-defined]
            raise NotFound()


_CHECK = "SELECT * FROM api_token_check(%s, true, %s)"


def check_token(token: str | None, *, limit: int) -> ApiPrincipal | None:
    """The live token's principal (one autocommit statement, which also counts the call in the
    token's rate window: `calls` above `limit` comes with `retry_after` seconds), or None."""
    if not token or len(token) > MAX_TOKEN or not token.startswith(PREFIX):
        return None
    with app_pool().connection() as conn:
        row = (
            conn.cursor(row_factory=dict_row).execute(_CHECK, (token_hash(token), limit)).fetchone()
        )
    if row is None:
        return None
    user = SessionUser(
        session_id=row["token_id"],
        user_id=row["user_id"],
        tenant_id=row["tenant_id"],
        role=row["role"],
        name=row["name"],
        email=row["email"],
        tenant_name=row["tenant_name"],
        tenant_type=row["tenant_type"],
    )
    return ApiPrincipal(
        user=user,
        token_id=row["token_id"],
        scopes=frozenset(row["scopes"] or ()),
        calls=row["calls"],
        retry_after=row["retry_after"],
    )


__all__ = [
    "API_EXPIRY_DAYS",
    "ApiPrincipal",
    "NewApiToken",
    "check_token",
    "create_token",
    "list_tokens",
    "revoke_token",
    "scopes_from_form",
]
