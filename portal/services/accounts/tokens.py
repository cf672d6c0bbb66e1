"""One-time tokens for magic links, password resets and invites (stored as SHA-256 only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import text, update
from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.models import AuthToken
from portal.services.accounts.passwords import new_token, token_hash
from portal.services.core.errors import InvalidLink

PURPOSES = ("magic_link", "password_reset", "invite")
MAX_TOKEN = 200


@dataclass(frozen=True)
class TokenInfo:
    """A live token's owner, found by hash before the tenant is known."""

    token_id: UUID
    tenant_id: UUID
    user_id: UUID
    email: str
    name: str
    user_status: str
    tenant_name: str

    @property
    def context(self) -> TenantContext:
        return TenantContext(tenant_id=self.tenant_id, user_id=self.user_id)


def issue(
    *,
    session: Session,
    tenant_id: UUID,
    user_id: UUID,
    purpose: str,
    ttl: timedelta,
    created_by: UUID | None = None,
) -> str:
    """Create a token (revoking earlier live ones of the same purpose); return the raw token."""
    assert purpose in PURPOSES
    now = datetime.now(UTC)
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.purpose == purpose)
        .where(AuthToken.used_at.is_(None), AuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    raw = new_token()
    session.add(
        AuthToken(
            tenant_id=tenant_id,
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash(raw),
            expires_at=now + ttl,
            created_by=created_by,
        )
    )
    session.flush()
    return raw


def peek(token: str | None, purpose: str) -> TokenInfo:
    """The live token's owner without using it up; InvalidLink otherwise."""
    if not token or len(token) > MAX_TOKEN:
        raise InvalidLink()
    with tenant_session(None) as session:
        row = (
            session.execute(
                text("SELECT * FROM auth_token_lookup(:hash, :purpose)"),
                {"hash": token_hash(token), "purpose": purpose},
            )
            .mappings()
            .first()
        )
    if row is None or row["used_at"] or row["revoked_at"]:
        raise InvalidLink()
    if row["expires_at"] <= datetime.now(UTC):
        raise InvalidLink()
    return TokenInfo(
        token_id=row["token_id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        email=row["email"],
        name=row["name"],
        user_status=row["user_status"],
        tenant_name=row["tenant_name"],
    )


def consume(*, session: Session, info: TokenInfo) -> None:
    """Use the token up, atomically: of two simultaneous uses exactly one succeeds."""
    used = session.execute(
        update(AuthToken)
        .where(AuthToken.id == info.token_id, AuthToken.used_at.is_(None))
        .where(AuthToken.revoked_at.is_(None), AuthToken.expires_at > datetime.now(UTC))
        .values(used_at=datetime.now(UTC))
        .returning(AuthToken.id)
    ).scalar_one_or_none()
    if used is None:
        raise InvalidLink()
