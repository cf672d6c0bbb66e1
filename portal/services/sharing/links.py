"""Share links to one asset version: create (the URL is shown once), list per asset and per
project, revoke, extend, change the passcode, and per-link analytics.

Only sha256(token) is stored (`secrets.token_urlsafe(32)`), the passcode as an argon2 hash. Every
function runs in the owner's tenant-scoped session (RLS decides which links exist for them);
the audit log records the link's id and settings, never the token or a hash of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import String, cast, func, select
from sqlmodel import Session

from portal import routes
from portal.models import Asset, Comment, ShareLink, ShareLinkView
from portal.services.accounts.passwords import hash_password, new_token, token_hash
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.locale import format_datetime, format_day_month, viewer_zone
from portal.services.core.rows import insert_row
from portal.services.core.validation import MAX_TITLE, clean_text, parse_uuid
from portal.services.core.versions import deliverable_version
from portal.services.media.assets import get_asset
from portal.services.sharing.rules import burnable, effective_status
from portal.services.sharing.view_types import ShareLinkSummary
from portal.services.sharing.watermark import queue_rendition
from portal.settings import get_settings

MAX_NAME = MAX_TITLE
MIN_PASSCODE, MAX_PASSCODE = 4, 128
MAX_VIEW_LIMIT = 1_000_000
STATUS_LABELS = {
    "active": "Active",
    "expired": "Expired",
    "revoked": "Revoked",
    "exhausted": "View limit reached",
}
# Days of history the views-over-time chart shows.
CHART_DAYS = 30


@dataclass(frozen=True)
class NewShareLink:
    """A link just created: its URL holds the token and is shown once, never stored."""

    id: str
    url: str


@dataclass(frozen=True)
class ShareAnalytics:
    """Views over time and the figures beside the chart for one link."""

    link_id: str
    name: str
    views: int
    unique_viewers: int
    last_viewed: str
    comments: int
    # One point per day for the last CHART_DAYS days: {"day": "3 Mar", "views": 2}.
    by_day: list[dict]


def share_url(token: str) -> str:
    """The client page for a token (the only place the token is ever written)."""
    return get_settings().portal_url.rstrip("/") + routes.share_url(token)


def _days(value: int | str | None, *, label: str = "Expiry") -> int:
    settings = get_settings()
    if value is None or str(value).strip() == "":
        return settings.share_link_default_days
    try:
        days = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{label} must be a whole number of days.") from None
    if not 1 <= days <= settings.share_link_max_days:
        raise InvalidInput(f"{label} must be between 1 and {settings.share_link_max_days} days.")
    return days


def _view_limit(value: int | str | None) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        limit = int(str(value).strip())
    except ValueError:
        raise InvalidInput("The view limit must be a whole number.") from None
    if not 1 <= limit <= MAX_VIEW_LIMIT:
        raise InvalidInput(f"The view limit must be between 1 and {MAX_VIEW_LIMIT:,}.")
    return limit


def _passcode_hash(passcode: str | None) -> str | None:
    """None for no passcode; an argon2 hash otherwise (length checked, spaces kept)."""
    if passcode is None or passcode == "":
        return None
    if len(passcode) < MIN_PASSCODE or len(passcode) > MAX_PASSCODE:
        raise InvalidInput(
            f"A passcode must be {MIN_PASSCODE} to {MAX_PASSCODE} characters (or left empty)."
        )
    return hash_password(passcode)


def _check_download(asset: Asset, *, allow_download: bool, watermark: bool) -> None:
    """A watermark is burned into downloads, which needs the master the portal keeps; a
    Mux-hosted version has none here, so that pair is refused up front."""
    if allow_download and watermark and not burnable(asset):
        raise InvalidInput(
            "This version is hosted on Mux, so its download cannot carry a burned-in "
            "watermark. Untick Download or Watermark."
        )


def create_share_link(
    *,
    session: Session,
    asset_id: UUID | str,
    created_by: UUID | None,
    name: str = "",
    expires_in_days: int | str | None = None,
    passcode: str | None = None,
    view_limit: int | str | None = None,
    allow_comments: bool = False,
    allow_download: bool = False,
    watermark: bool = False,
    ask_decision: bool = False,
    follow_latest: bool = False,
    notify_new_versions: bool = False,
) -> NewShareLink:
    """A new link to one ready version; returns its URL (shown once, never stored)."""
    asset = get_asset(session=session, asset_id=asset_id)
    if asset.status != "ready":
        raise InvalidInput("Only a version that has finished processing can be shared.")
    _check_download(asset, allow_download=allow_download, watermark=watermark)
    token = new_token()
    link = ShareLink(
        tenant_id=asset.tenant_id,
        asset_id=asset.id,
        hashed_token=token_hash(token),
        expires_at=datetime.now(UTC) + timedelta(days=_days(expires_in_days)),
        passcode_hash=_passcode_hash(passcode),
        view_limit=_view_limit(view_limit),
        created_by=created_by,
        name=clean_text(name, label="Name", max_length=MAX_NAME, required=False),
        allow_comments=bool(allow_comments),
        allow_download=bool(allow_download),
        watermark=bool(watermark),
        ask_decision=bool(ask_decision),
        follow_latest=bool(follow_latest),
        notify_new_versions=bool(notify_new_versions),
    )
    insert_row(session, link)
    queue_rendition(session, link)  # a watermarked download is prepared ahead
    return NewShareLink(id=str(link.id), url=share_url(token))


def get_share_link(*, session: Session, link_id: UUID | str, for_update: bool = False) -> ShareLink:
    """A link in scope (another tenant's reads as not found)."""
    link = session.get(ShareLink, parse_uuid(link_id), with_for_update=for_update)
    if link is None:
        raise NotFound("That share link does not exist or is not available to you.")
    return link


def revoke_share_link(*, session: Session, link_id: UUID | str) -> ShareLink:
    """Stop a link at once: its page refuses and open players lose playback."""
    link = get_share_link(session=session, link_id=link_id, for_update=True)
    if link.status != "revoked":
        link.status, link.revoked_at = "revoked", datetime.now(UTC)
        session.add(link)
        session.flush()
    return link


def extend_share_link(*, session: Session, link_id: UUID | str, days: int | str) -> ShareLink:
    """Push the expiry `days` further (from now if it has passed), within the maximum."""
    link = get_share_link(session=session, link_id=link_id, for_update=True)
    if link.status == "revoked":
        raise InvalidInput("A revoked link cannot be extended. Create a new one.")
    now = datetime.now(UTC)
    expires = max(now, link.expires_at) + timedelta(days=_days(days, label="Extension"))
    longest = get_settings().share_link_max_days
    if expires > now + timedelta(days=longest):
        raise InvalidInput(f"A link can expire at most {longest} days from today.")
    link.expires_at = expires
    if link.status == "expired":
        link.status = "active"  # the status rule moves it on again if its views are used up
    session.add(link)
    session.flush()
    return link


def change_passcode(*, session: Session, link_id: UUID | str, passcode: str | None) -> ShareLink:
    """Set a new passcode, or remove it with an empty one."""
    link = get_share_link(session=session, link_id=link_id, for_update=True)
    if link.status == "revoked":
        raise InvalidInput("A revoked link cannot be changed.")
    link.passcode_hash = _passcode_hash(passcode)
    session.add(link)
    session.flush()
    return link


def set_link_options(
    *,
    session: Session,
    link_id: UUID | str,
    allow_comments: bool,
    allow_download: bool,
    watermark: bool,
    ask_decision: bool | None = None,
    follow_latest: bool | None = None,
    notify_new_versions: bool | None = None,
) -> ShareLink:
    """Change what a live link allows (comments, download, a decision) and whether it is
    watermarked; a watermarked download is prepared when both are on."""
    link = get_share_link(session=session, link_id=link_id, for_update=True)
    if link.status == "revoked":
        raise InvalidInput("A revoked link cannot be changed.")
    asset = get_asset(session=session, asset_id=link.asset_id)
    _check_download(asset, allow_download=allow_download, watermark=watermark)
    link.allow_comments = bool(allow_comments)
    link.allow_download = bool(allow_download)
    link.watermark = bool(watermark)
    if ask_decision is not None:
        link.ask_decision = bool(ask_decision)
    if follow_latest is not None:
        link.follow_latest = bool(follow_latest)
    if notify_new_versions is not None:
        link.notify_new_versions = bool(notify_new_versions)
    session.add(link)
    session.flush()
    queue_rendition(session, link)
    return link


def _summary(link: ShareLink, asset: Asset, now: datetime) -> ShareLinkSummary:
    status = effective_status(link, now)
    limit = f" / {link.view_limit}" if link.view_limit is not None else ""
    return ShareLinkSummary(
        id=str(link.id),
        name=link.name,
        asset_title=asset.title,
        asset_href=routes.asset_url(str(asset.id)),
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        expires=format_datetime(link.expires_at),
        views=f"{link.view_count}{limit}",
        last_viewed=format_datetime(link.last_viewed_at) or "never",
        created=format_datetime(link.created_at),
        passcode=link.passcode_hash is not None,
        allow_comments=link.allow_comments,
        allow_download=link.allow_download,
        watermark=link.watermark,
        ask_decision=link.ask_decision,
        follow_latest=link.follow_latest,
        notify_new_versions=link.notify_new_versions,
        live=link.status != "revoked",
    )


def _listing(session: Session, *where) -> list[ShareLinkSummary]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(ShareLink, Asset)
        .join(Asset, Asset.id == ShareLink.asset_id)
        .where(*where)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    ).all()
    now = datetime.now(UTC)
    return [_summary(link, asset, now) for link, asset in rows]


def links_for_asset(*, session: Session, asset_id: UUID | str) -> list[ShareLinkSummary]:
    """Every link to one version, newest first."""
    asset = get_asset(session=session, asset_id=asset_id)
    return _listing(session, ShareLink.asset_id == asset.id)


def links_for_project(*, session: Session, project_id: UUID | str) -> list[ShareLinkSummary]:
    """Every link to any version in a project, newest first."""
    return _listing(session, Asset.project_id == parse_uuid(project_id))


def version_label(session: Session, asset: Asset) -> str:
    """v1, v2, … of the version within its deliverable."""
    return f"v{deliverable_version(session, asset)}"


def link_comments(session: Session, link_id: UUID) -> int:
    """Comments left through a link (guest comments carry its id in their metadata)."""
    return session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.meta["share_link_id"].astext == cast(link_id, String))
    )


def share_analytics(*, session: Session, link_id: UUID | str) -> ShareAnalytics:
    """Views per day (the last 30 days), unique viewers, last view, comments left."""
    link = get_share_link(session=session, link_id=link_id)
    zone = viewer_zone()
    totals = session.execute(
        select(func.count(), func.count(func.distinct(ShareLinkView.viewer_hash))).where(
            ShareLinkView.share_link_id == link.id
        )
    ).one()
    local_day = func.date(func.timezone(zone.key, ShareLinkView.viewed_at))
    today = datetime.now(zone).date()
    first = today - timedelta(days=CHART_DAYS - 1)
    per_day = dict(
        session.execute(
            select(local_day, func.count())
            .where(ShareLinkView.share_link_id == link.id, local_day >= first)
            .group_by(local_day)
        )
        .tuples()
        .all()
    )
    by_day = [
        {"day": format_day_month(d), "views": per_day.get(d, 0)}
        for d in (first + timedelta(days=i) for i in range(CHART_DAYS))
    ]
    return ShareAnalytics(
        link_id=str(link.id),
        name=link.name,
        views=totals[0],
        unique_viewers=totals[1],
        last_viewed=format_datetime(link.last_viewed_at) or "never",
        comments=link_comments(session, link.id),
        by_day=by_day,
    )
