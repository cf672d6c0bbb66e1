"""Client decisions through a share link: *Approve* or *Request changes*, with a note.

A link asks for a decision when its owner ticked *Ask for a decision*. The client gives a name
and an email (as for guest comments: the same guest user of the link's tenant, the same checks)
and presses one of the two buttons. Every press is one row of `share_decisions`, never updated:
the latest per link, version and client is their decision, the earlier ones its history. A
press carries the page's `request_key`; a second press with the same key (a double click, a
replayed event) records nothing more — one advisory lock per (link, key) and a unique
constraint make that exact under concurrency.

Refused, with the page's calm "not available", unless the link is live (active: not expired,
revoked or out of views). Throttled per link and per address like passcode attempts. The
studio's own approval of the version (assets.review_status) is a separate thing and stays so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col

from portal.db import TenantContext, tenant_session
from portal.models import Asset, ShareDecision, ShareLink
from portal.services.accounts import throttle
from portal.services.core.errors import (
    Conflict,
    InvalidInput,
    LinkUnavailable,
    PermissionDenied,
)
from portal.services.core.locale import format_datetime
from portal.services.core.validation import clean_text, parse_uuid
from portal.services.media.comments import scrub_pii
from portal.services.notifications.events import on_client_decision
from portal.services.sharing.access import LinkInfo
from portal.services.sharing.follow import remember_contact
from portal.services.sharing.guests import clean_guest, guest_user
from portal.services.sharing.rules import effective_status
from portal.services.sharing.view_types import ClientDecisionView

DECISIONS = {"approved": "Approved", "changes_requested": "Changes requested"}
MAX_NOTE = 2000
# Presses per link and per address within THROTTLE_WINDOW_MINUTES.
PER_LINK, PER_ADDRESS = 100, 30


@dataclass(frozen=True)
class Recorded:
    """The outcome of one press: the decision row, and whether this press wrote it."""

    decision: ShareDecision
    new: bool


def clean_note(decision: str, note: str | None) -> str:
    """The note: optional with an approval, required when asking for changes (what to change);
    emails and phone numbers masked, as in comments."""
    if decision not in DECISIONS:
        raise InvalidInput("Choose Approve or Request changes.")
    note = clean_text(
        (note or "").replace("\r\n", "\n"),
        label="The note",
        max_length=MAX_NOTE,
        required=decision == "changes_requested",
    )
    return scrub_pii(note)


def _press_lock(link_id: UUID, key: UUID) -> int:
    digest = hashlib.sha256(f"share-decision:{link_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _live_link(session: Session, info: LinkInfo) -> ShareLink:
    link = session.get(ShareLink, info.link_id)
    if link is None or effective_status(link) != "active":
        raise LinkUnavailable()
    if not link.ask_decision:
        raise PermissionDenied("This link does not ask for a decision.")
    return link


def record_decision(
    *,
    info: LinkInfo,
    name: str,
    email: str,
    decision: str,
    note: str | None,
    request_key: UUID | str,
    ip: str | None = None,
) -> Recorded:
    """One press of Approve / Request changes on the link's version; the owner is notified of
    a new decision. The same `request_key` again returns the first press's row, unchanged."""
    if info.status != "active":
        raise LinkUnavailable()
    name, email = clean_guest(name, email)
    note = clean_note(decision, note)
    key = parse_uuid(request_key)
    assert key is not None  # parse_uuid refuses a missing id
    throttle.reserve(
        kind="share_decision", email=str(info.link_id), ip=ip, limits=(PER_LINK, PER_ADDRESS)
    )
    with tenant_session(TenantContext(tenant_id=info.tenant_id)) as session:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:id)"), {"id": _press_lock(info.link_id, key)}
        )
        link = _live_link(session, info)
        earlier = session.scalars(
            select(ShareDecision).where(
                col(ShareDecision.share_link_id) == link.id, col(ShareDecision.request_key) == key
            )
        ).first()
        if earlier is not None:
            session.expunge(earlier)
            return Recorded(earlier, new=False)
        guest = guest_user(session, info.tenant_id, name, email)
        row_id = session.scalar(
            insert(ShareDecision)
            .values(
                tenant_id=link.tenant_id,
                share_link_id=link.id,
                asset_id=link.asset_id,
                guest_id=guest.id,
                name=name,
                email=email,
                decision=decision,
                note=note,
                request_key=key,
            )
            .on_conflict_do_nothing(constraint="uq_share_decisions_press")
            .returning(col(ShareDecision.id))
        )
        if row_id is None:  # the constraint's backstop: another press with this key won
            raise Conflict("That decision was already recorded.")
        row = session.get(ShareDecision, row_id)
        assert row is not None  # inserted just now, in this transaction
        on_client_decision(session=session, decision=row, link=link)
        remember_contact(session, link_id=link.id, tenant_id=link.tenant_id, name=name, email=email)
        session.flush()
        session.expunge(row)
    return Recorded(row, new=True)


def asks_decision(*, info: LinkInfo) -> bool:
    """Whether the link asks its client for a decision (the client page's buttons)."""
    with tenant_session(TenantContext(tenant_id=info.tenant_id)) as session:
        link = session.get(ShareLink, info.link_id)
        return bool(link is not None and link.ask_decision)


def _view(row: ShareDecision, link_name: str, latest: bool) -> ClientDecisionView:
    return ClientDecisionView(
        id=str(row.id),
        decision=row.decision,
        summary=f"{DECISIONS.get(row.decision, row.decision)} by {row.name}",
        name=row.name,
        link_name=link_name or "Shared link",
        when=format_datetime(row.created_at),
        note=row.note,
        latest=latest,
    )


def _views(rows: list[tuple[ShareDecision, str]]) -> list[ClientDecisionView]:
    """Newest first; the newest per (link, client) is `latest`, the rest are history."""
    seen: set[tuple[UUID, str]] = set()
    views = []
    for row, link_name in rows:
        who = (row.share_link_id, row.email.lower())
        views.append(_view(row, link_name, who not in seen))
        seen.add(who)
    return views


def client_decisions(*, session: Session, asset_id: UUID | str) -> list[ClientDecisionView]:
    """Every client decision on one version through any of its links, newest first (in the
    owner's session: RLS decides what exists for them)."""
    asset = session.get(Asset, parse_uuid(asset_id))
    if asset is None:
        return []
    rows = session.execute(
        select(ShareDecision, col(ShareLink.name))
        .join(ShareLink, col(ShareLink.id) == col(ShareDecision.share_link_id))
        .where(col(ShareDecision.asset_id) == asset.id)
        .order_by(col(ShareDecision.created_at).desc(), col(ShareDecision.id).desc())
    ).all()
    return _views([(row, name) for row, name in rows])


def my_decision(*, info: LinkInfo, email: str) -> ClientDecisionView | None:
    """The client's latest decision on the link's version (for their page), or None."""
    if not email:
        return None
    with tenant_session(TenantContext(tenant_id=info.tenant_id)) as session:
        row = session.scalars(
            select(ShareDecision)
            .where(
                col(ShareDecision.share_link_id) == info.link_id,
                col(ShareDecision.asset_id) == info.asset_id,
                func.lower(col(ShareDecision.email)) == email.strip().lower(),
            )
            .order_by(col(ShareDecision.created_at).desc(), col(ShareDecision.id).desc())
            .limit(1)
        ).first()
        return _view(row, "", True) if row is not None else None
