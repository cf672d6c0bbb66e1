"""users and their sign-in sessions."""

from datetime import datetime
from uuid import UUID

from sqlmodel import Field, SQLModel

from portal.models._base import id_field, jsonb_field, tenant_field, timestamp_field


# A portal account (admin, agency) or a share-link guest of one tenant.
class User(SQLModel, table=True):
    __tablename__ = "users"

    id: UUID = id_field()
    tenant_id: UUID = tenant_field()
    role: str  # admin | agency | guest
    email: str
    name: str = ""
    password_hash: str | None = None
    status: str = "active"  # active | invited | deactivated
    last_login_at: datetime | None = timestamp_field(nullable=True)
    # Set when Resend reports a hard bounce for this address; mail to it should stop.
    email_bounced_at: datetime | None = timestamp_field(nullable=True)
    # Email per notification type: immediately | digest | off (missing: the type's default).
    notification_prefs: dict = jsonb_field()
    created_at: datetime | None = timestamp_field()
    updated_at: datetime | None = timestamp_field()


# A signed-in browser: only the SHA-256 of its cookie token is stored.
class UserSession(SQLModel, table=True):
    __tablename__ = "user_sessions"

    id: UUID = id_field()
    tenant_id: UUID
    user_id: UUID = Field(foreign_key="users.id")
    token_hash: str
    created_at: datetime | None = timestamp_field()
    last_seen_at: datetime | None = timestamp_field()
    expires_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)
    user_agent: str = ""


# A one-time token (magic link, password reset, invite); only its SHA-256 is stored.
class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_tokens"

    id: UUID = id_field()
    tenant_id: UUID
    user_id: UUID = Field(foreign_key="users.id")
    purpose: str  # magic_link | password_reset | invite
    token_hash: str
    created_by: UUID | None = Field(default=None, foreign_key="users.id")
    created_at: datetime | None = timestamp_field()
    expires_at: datetime = timestamp_field()
    used_at: datetime | None = timestamp_field(nullable=True)
    revoked_at: datetime | None = timestamp_field(nullable=True)


# One sign-in attempt, keyed by the hash of an email or client address (for throttling).
class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempts"

    id: UUID = id_field()
    kind: str  # login | magic_link | password_reset
    key_hash: str
    scope: str  # account | ip
    succeeded: bool
    created_at: datetime | None = timestamp_field()
