"""Email preferences per notification type, and unsubscribe links that work without signing in.

An unsubscribe token is `v1.<tenant>.<user>.<type>.<signature>`: HMAC-SHA256 over the rest with
a key derived from PORTAL_SECRET_KEY for this purpose only. It carries no secret and never
expires (an old email's link should still work); it can only turn one type's email off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

from sqlalchemy import select, update
from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.models import User
from portal.services.core.errors import InvalidInput, InvalidUnsubscribe, NotFound
from portal.services.notifications.fan_out import MODES, TYPES, mode_for
from portal.services.notifications.view_types import PreferenceView
from portal.settings import get_settings

TOKEN_VERSION = "v1"
MAX_TOKEN = 300


def preferences(*, session: Session, user_id: UUID) -> list[PreferenceView]:
    """Every type with the user's current mode (their choice or the default)."""
    prefs = session.scalar(select(User.notification_prefs).where(User.id == user_id))
    if prefs is None:
        raise NotFound()
    return [PreferenceView(t, label, mode_for(prefs, t)) for t, (label, _) in TYPES.items()]


def set_preference(*, session: Session, user_id: UUID, type_: str, mode: str) -> None:
    """Choose immediately | digest | off for one type (unknown types or modes are refused)."""
    if type_ not in TYPES:
        raise InvalidInput("Unknown notification type.")
    if mode not in MODES:
        raise InvalidInput("Choose immediately, daily digest or off.")
    done = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(notification_prefs=User.notification_prefs.op("||")({type_: mode}))
    )
    if done.rowcount == 0:
        raise NotFound()


def _signature(message: str) -> str:
    secret = get_settings().portal_secret_key.get_secret_value().encode()
    key = hashlib.sha256(b"notification-unsubscribe:" + secret).digest()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(*, tenant_id: UUID, user_id: UUID, type_: str) -> str:
    """A signed token that turns off one type's email for one user."""
    message = f"{TOKEN_VERSION}.{tenant_id}.{user_id}.{type_}"
    return f"{message}.{_signature(message)}"


def read_unsubscribe_token(token: str | None) -> tuple[UUID, UUID, str]:
    """(tenant, user, type) of a genuine token; InvalidUnsubscribe for anything else."""
    parts = (token or "").split(".")
    if not token or len(token) > MAX_TOKEN or len(parts) != 5 or parts[0] != TOKEN_VERSION:
        raise InvalidUnsubscribe()
    message, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(signature, _signature(message)) or parts[3] not in TYPES:
        raise InvalidUnsubscribe()
    try:
        return UUID(parts[1]), UUID(parts[2]), parts[3]
    except ValueError as exc:
        raise InvalidUnsubscribe() from exc


def unsubscribe(token: str | None) -> str:
    """Turn off the email the token names; returns the type's label."""
    tenant_id, user_id, type_ = read_unsubscribe_token(token)
    with tenant_session(TenantContext(tenant_id=tenant_id, user_id=user_id)) as session:
        try:
            set_preference(session=session, user_id=user_id, type_=type_, mode="off")
        except NotFound as exc:
            raise InvalidUnsubscribe() from exc
    return TYPES[type_][0]
