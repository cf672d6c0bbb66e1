"""Playback grants for the client page: short-lived, signed, bound to one link and one version.

A grant is `base64url(link id, tenant id, asset id, expiry)` + `.` + an HMAC-SHA256 of it under a
key derived from PORTAL_SECRET_KEY. It is never stored. Every media request checks the signature
(in constant time), the expiry, and that the link is still live in the database, so revoking a
link stops playback at the next segment even while a grant is unexpired.

Renewal: while the client page is open and its link still live, it asks for a fresh grant every
few minutes and keeps it in a cookie (`RENEWAL_COOKIE`) scoped to its own media path. The page's
URLs keep their first grant (changing them would restart the player); a request with an expired
first grant is served when the cookie holds an unexpired grant for the same link and version.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID

from portal.db import TenantContext, tenant_session
from portal.models import Asset, ShareLink
from portal.services.sharing.rules import effective_status
from portal.settings import get_settings

# Viewers who opened a link keep watching after its last view was used; revoked and expired
# links stop playback.
PLAYABLE = ("active", "exhausted")
_LAYOUT = struct.Struct(">16s16s16sQ")
MAX_GRANT = 200
RENEWAL_COOKIE = "share_renewal"


@dataclass(frozen=True)
class Grant:
    """What a valid grant says."""

    link_id: UUID
    tenant_id: UUID
    asset_id: UUID
    expires: int


def _key() -> bytes:
    return _derived(get_settings().portal_secret_key.get_secret_value())


@lru_cache(maxsize=2)
def _derived(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"share-playback-grant", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_grant(*, link_id: UUID, tenant_id: UUID, asset_id: UUID, now: float | None = None) -> str:
    """A grant valid for SHARE_PLAYBACK_TTL_SECONDS."""
    ttl = get_settings().share_playback_ttl_seconds
    expires = int(now if now is not None else time.time()) + ttl
    body = _b64(_LAYOUT.pack(link_id.bytes, tenant_id.bytes, asset_id.bytes, expires))
    signature = _b64(hmac.new(_key(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def read_grant(
    grant: str | None, *, now: float | None = None, allow_expired: bool = False
) -> Grant | None:
    """The grant's contents when its signature holds and it has not expired, else None."""
    if not grant or len(grant) > MAX_GRANT or grant.count(".") != 1:
        return None
    body, signature = grant.split(".")
    expected = _b64(hmac.new(_key(), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    try:
        link, tenant, asset, expires = _LAYOUT.unpack(_unb64(body))
    except (binascii.Error, ValueError, struct.error):
        return None
    if not allow_expired and expires <= (now if now is not None else time.time()):
        return None
    return Grant(UUID(bytes=link), UUID(bytes=tenant), UUID(bytes=asset), expires)


def renewed(grant: str | None, renewal: str | None, *, now: float | None = None) -> Grant | None:
    """The grant, or — once it has expired — its renewal when that is valid for the same link,
    tenant and version."""
    found = read_grant(grant, now=now)
    if found is not None or not renewal:
        return found
    first = read_grant(grant, now=now, allow_expired=True)
    fresh = read_grant(renewal, now=now)
    if first is None or fresh is None:
        return None
    same = (first.link_id, first.tenant_id, first.asset_id) == (
        fresh.link_id,
        fresh.tenant_id,
        fresh.asset_id,
    )
    return fresh if same else None


def granted_asset(grant: str | None, renewal: str | None = None) -> tuple[Asset, ShareLink] | None:
    """The version a grant (or its renewal) plays and its link, while the link is live and the
    version ready."""
    found = renewed(grant, renewal)
    if found is None:
        return None
    # The grant is signed by us, so its tenant id is trusted to set the RLS context.
    with tenant_session(TenantContext(tenant_id=found.tenant_id)) as session:
        link = session.get(ShareLink, found.link_id)
        asset = session.get(Asset, found.asset_id)
    if link is None or asset is None or link.asset_id != asset.id:
        return None
    if effective_status(link) not in PLAYABLE or asset.status != "ready":
        return None
    return asset, link
