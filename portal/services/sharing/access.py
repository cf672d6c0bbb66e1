"""The client side of a share link: look it up by token, check the passcode (throttled), count
a view, and describe the version for the client page. No session, no tenant to start with: the
token's SHA-256 reaches one link through the SECURITY DEFINER functions of migration 0012.

What counts as a view: one successful opening of the client page — a live link, and the right
passcode when it has one. Reloading the page is a new opening (the passcode is asked again and
the view counted again). Media requests, comments and downloads never count. The count is one
guarded `UPDATE … RETURNING` in the database, so a view limit is never exceeded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from uuid import UUID

from sqlalchemy import text

from portal import routes
from portal.db import TenantContext, app_async_pool, app_pool, tenant_session
from portal.models import ShareLink, Tenant
from portal.services.accounts import throttle
from portal.services.accounts.branding import logo_url
from portal.services.accounts.passwords import token_hash, verify_password
from portal.services.accounts.tenants import accent_of
from portal.services.core.errors import (
    LinkUnavailable,
    PasscodeRequired,
    WrongPasscode,
)
from portal.services.media.assets import get_asset
from portal.services.notifications.events import on_share_viewed
from portal.services.sharing.grants import make_grant
from portal.services.sharing.links import MAX_PASSCODE, version_label
from portal.settings import get_settings

# secrets.token_urlsafe(32): 43 URL-safe base64 characters. Anything else is not a token.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_USER_AGENT = 512
_OPEN = (
    "SELECT link_id, tenant_id, asset_id, view_count, created_by, allow_comments,"
    " allow_download FROM share_link_open(%s, %s, %s)"
)


@dataclass(frozen=True)
class LinkInfo:
    """A link as the client side sees it (the passcode hash stays out of reprs)."""

    link_id: UUID
    tenant_id: UUID
    asset_id: UUID
    status: str
    allow_comments: bool
    allow_download: bool
    watermark: bool
    passcode_hash: str | None = field(default=None, repr=False)

    @property
    def passcode_required(self) -> bool:
        return self.passcode_hash is not None

    @property
    def usable(self) -> bool:
        """Still usable by someone who opened it (its last view may have been theirs)."""
        return self.status in ("active", "exhausted")


@dataclass(frozen=True)
class OpenedLink:
    """A counted view: the link, the version it grants, and a short-lived playback grant."""

    link_id: UUID
    tenant_id: UUID
    asset_id: UUID
    view_count: int
    allow_comments: bool
    allow_download: bool
    grant: str = field(repr=False)

    def media(self, name: str) -> str:
        return routes.share_media_url(self.grant, name)


@dataclass(frozen=True)
class ClientAsset:
    """What the client page shows about the version and whose branding it wears."""

    title: str
    label: str
    duration: float
    frame_rate: float
    brand_name: str
    logo: str
    accent: str


def valid_token(token: str | None) -> bool:
    return bool(token) and TOKEN.fullmatch(token) is not None


def _lookup_hash(hashed: str) -> LinkInfo | None:
    with tenant_session(None) as session:
        row = session.execute(text("SELECT * FROM share_link_lookup(:h)"), {"h": hashed}).first()
    if row is None:
        return None
    return LinkInfo(
        link_id=row.link_id,
        tenant_id=row.tenant_id,
        asset_id=row.asset_id,
        status=row.status,
        allow_comments=row.allow_comments,
        allow_download=row.allow_download,
        watermark=row.watermark,
        passcode_hash=row.passcode_hash,
    )


def lookup(token: str | None) -> LinkInfo | None:
    """The link a token names (any status), or None; malformed tokens never reach the database."""
    return _lookup_hash(token_hash(token)) if valid_token(token) else None


@lru_cache(maxsize=4)
def _daily_salt(secret: str, day: str) -> bytes:
    return hmac.new(secret.encode(), f"share-viewer:{day}".encode(), hashlib.sha256).digest()


def viewer_hash(ip: str | None, user_agent: str | None, now: datetime | None = None) -> str:
    """A viewer's daily pseudonym: HMAC of address and browser under a salt that changes every
    UTC day (derived from PORTAL_SECRET_KEY), so viewers are counted, never identified."""
    day = (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()
    salt = _daily_salt(get_settings().portal_secret_key.get_secret_value(), day)
    who = f"{ip or ''}\n{(user_agent or '')[:MAX_USER_AGENT]}".encode()
    return hmac.new(salt, who, hashlib.sha256).hexdigest()


def check_passcode(info: LinkInfo, passcode: str, ip: str | None) -> None:
    """Throttled (wrong passcodes per address, and per link at a much higher limit, so one
    stranger cannot lock the client out), then an argon2 verification."""
    settings = get_settings()
    limits = (settings.share_passcode_max_per_link, settings.share_passcode_max_attempts)
    reservation = throttle.reserve(
        kind="share_passcode", email=str(info.link_id), ip=ip, limits=limits
    )
    ok = len(passcode) <= MAX_PASSCODE and verify_password(passcode, info.passcode_hash)
    if not ok:
        raise WrongPasscode()
    throttle.succeeded(reservation)


def _count_view(hashed: str, viewer: str, passcode_ok: bool) -> OpenedLink | None:
    """The one statement of the open path, on a pooled autocommit connection."""
    with app_pool().connection() as conn:
        row = conn.execute(_OPEN, (hashed, viewer, passcode_ok)).fetchone()
    if row is None:
        return None
    opened, first = _opened(row)
    if first:
        _notify_first_view(*first)
    return opened


def _opened(row) -> tuple[OpenedLink, tuple | None]:  # type: ignore[no-untyped-def]
    """The opened link and its grant; plus what the first-view notice needs, on the first view."""
    link_id, tenant_id, asset_id, count, created_by, comments, download = row
    grant = make_grant(link_id=link_id, tenant_id=tenant_id, asset_id=asset_id)
    opened = OpenedLink(link_id, tenant_id, asset_id, count, comments, download, grant)
    return opened, ((link_id, tenant_id, asset_id, created_by) if count == 1 else None)


async def open_without_passcode(
    *, token: str | None, ip: str | None, user_agent: str | None
) -> tuple[OpenedLink | None, tuple | None]:
    """The common opening (no passcode given) as one async statement, no threadpool hop.
    (None, None) when the link did not open: the caller then asks `open_link` why."""
    if not valid_token(token):
        raise LinkUnavailable()
    pool = await app_async_pool()
    async with pool.connection() as conn:
        cursor = await conn.execute(_OPEN, (token_hash(token), viewer_hash(ip, user_agent), False))
        row = await cursor.fetchone()
    if row is None:
        return None, None
    return _opened(row)


def notify_first_view(first: tuple) -> None:
    """The creator hears of the first view (run off the event loop by the HTTP route)."""
    _notify_first_view(*first)


def _notify_first_view(link_id: UUID, tenant_id: UUID, asset_id: UUID, creator: UUID) -> None:
    """Exactly one opening sees view_count == 1: its creator hears of the first view."""
    link = ShareLink(
        id=link_id,
        tenant_id=tenant_id,
        asset_id=asset_id,
        created_by=creator,
        view_count=1,
        hashed_token="",
        expires_at=datetime.now(UTC),
    )
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        on_share_viewed(session=session, share_link=link)


def open_link(
    *,
    token: str | None,
    passcode: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    tried: bool = False,
) -> OpenedLink:
    """Open the page once: count one view and grant playback, or say why not. `tried`: the
    caller already attempted the opening without a passcode (open_without_passcode)."""
    if not valid_token(token):
        raise LinkUnavailable()
    hashed = token_hash(token)
    viewer = viewer_hash(ip, user_agent)
    if not passcode and not tried:
        opened = _count_view(hashed, viewer, False)
        if opened is not None:
            return opened
    info = _lookup_hash(hashed)
    if info is None or info.status != "active":
        raise LinkUnavailable()
    if info.passcode_required:
        if not passcode:
            raise PasscodeRequired()
        check_passcode(info, passcode, ip)
    opened = _count_view(hashed, viewer, True)
    if opened is None:
        raise LinkUnavailable()  # it went out of reach in the meantime (e.g. the last view)
    return opened


def client_asset(*, tenant_id: UUID, asset_id: UUID) -> ClientAsset:
    """The version's title and label, in the tenant's branding (its logo, else its studio's)."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        asset = get_asset(session=session, asset_id=asset_id)
        label = version_label(session, asset)
        tenant = session.get(Tenant, tenant_id)
    logo = logo_url(tenant_id)
    if not logo and tenant is not None and tenant.managed_by:
        logo = logo_url(tenant.managed_by)
    return ClientAsset(
        title=asset.title,
        label=label,
        duration=float(asset.duration or 0),
        frame_rate=float(asset.frame_rate or 25),
        brand_name=tenant.name if tenant else "Motion Mavericks",
        logo=logo or "/logo.svg",
        accent=accent_of(tenant_id),
    )
