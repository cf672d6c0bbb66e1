"""New versions and share links: links that follow the latest version, and clients told by email.

When a version becomes ready (local processing or Mux), `on_version_ready` defers one
`share_new_version` job for it. The job, in the version's tenant:
- moves every live link of the same deliverable with *Always latest* (`follow_latest`) from an
  older version to this one (an audited update of `share_links.asset_id`; a newer version never
  gives way to an older one that finished processing later). Links without it stay on their
  version.
- emails the clients of every live link of the deliverable with *Tell clients about new
  versions* (`notify_new_versions`): the addresses they gave on that link when commenting or
  deciding (`share_link_contacts`), except those who unsubscribed, each at most once per version
  (`notified_asset_id`). The emails go through the outbox and its send job, like account
  emails. They carry no link to the page: a share link's token is never stored, so the email
  names the link and asks the client to open the one they were sent. Each has an unsubscribe
  link (a signed token, GET confirms and POST applies, no sign-in).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from html import escape
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.models import Asset, ShareLink, ShareLinkContact
from portal.services.core.errors import InvalidUnsubscribe
from portal.services.core.versions import deliverable_version
from portal.services.email import outbox, shell
from portal.services.notifications.delivery import brand_of
from portal.services.sharing.rules import effective_status
from portal.services.sharing.watermark import queue_rendition
from portal.settings import get_settings

TOKEN_VERSION = "s1"
MAX_TOKEN = 200


def remember_contact(
    session: Session, *, link_id: UUID, tenant_id: UUID, name: str, email: str
) -> None:
    """Keep the address a client gave on this link (its name follows the latest)."""
    session.execute(
        insert(ShareLinkContact)
        .values(tenant_id=tenant_id, share_link_id=link_id, email=email, name=name[:100])
        .on_conflict_do_update(
            index_elements=[
                col(ShareLinkContact.share_link_id),
                func.lower(ShareLinkContact.email),
            ],
            set_={"name": name[:100]},
        )
    )


def _signature(message: str) -> str:
    secret = get_settings().portal_secret_key.get_secret_value().encode()
    key = hashlib.sha256(b"share-contact-unsubscribe:" + secret).digest()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(*, tenant_id: UUID, contact_id: UUID) -> str:
    """A signed token that stops new-version emails for one client on one link."""
    message = f"{TOKEN_VERSION}.{tenant_id}.{contact_id}"
    return f"{message}.{_signature(message)}"


def read_unsubscribe_token(token: str | None) -> tuple[UUID, UUID]:
    """(tenant, contact) of a genuine token; InvalidUnsubscribe for anything else."""
    parts = (token or "").split(".")
    if not token or len(token) > MAX_TOKEN or len(parts) != 4 or parts[0] != TOKEN_VERSION:
        raise InvalidUnsubscribe()
    if not hmac.compare_digest(parts[3], _signature(".".join(parts[:3]))):
        raise InvalidUnsubscribe()
    try:
        return UUID(parts[1]), UUID(parts[2])
    except ValueError as exc:
        raise InvalidUnsubscribe() from exc


def unsubscribe(token: str | None) -> None:
    """Stop the new-version emails the token names (again: no change)."""
    tenant_id, contact_id = read_unsubscribe_token(token)
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        session.execute(
            update(ShareLinkContact)
            .where(
                col(ShareLinkContact.id) == contact_id,
                col(ShareLinkContact.unsubscribed_at).is_(None),
            )
            .values(unsubscribed_at=func.now())
        )


def _email(
    session: Session, contact: ShareLinkContact, link: ShareLink, asset: Asset, number: int
) -> outbox.Email:
    brand = brand_of(session, link.tenant_id)
    token = unsubscribe_token(tenant_id=link.tenant_id, contact_id=contact.id)
    stop = f"{brand.base_url.rstrip('/')}{routes.API_SHARE_UNSUBSCRIBE}?token={token}"
    what = f"“{asset.title}” v{number}"
    name = link.name or "the review link"
    where = (
        f"The review link “{name}” now plays it: open the link {brand.tenant_name} sent you."
        if link.follow_latest
        else f"The review link “{name}” stays on its version: ask {brand.tenant_name} for the "
        "new one."
    )
    hello = f"Hello {contact.name}," if contact.name else "Hello,"
    text = f"{hello}\n\nA new version is ready: {what}.\n{where}\n\nStop these emails: {stop}\n"
    body = (
        f"<p>{escape(hello)}</p><p>A new version is ready: <b>{escape(what)}</b>.</p>"
        f"<p>{escape(where)}</p>"
    )
    html = shell.page(
        accent=brand.accent,
        above=brand.tenant_name,
        heading=f"New version: {what}",
        body=body,
        footer=f'<a href="{escape(stop)}" style="color:#60646c">Stop these emails</a>',
    )
    return outbox.Email(
        to=contact.email,
        subject=f"New version ready: {what}",
        text=text,
        html=html,
        tenant_id=link.tenant_id,
    )


def _tell_clients(session: Session, link: ShareLink, asset: Asset, number: int) -> int:
    contacts = session.scalars(
        select(ShareLinkContact)
        .where(
            col(ShareLinkContact.share_link_id) == link.id,
            col(ShareLinkContact.unsubscribed_at).is_(None),
        )
        .with_for_update()
    ).all()
    told = 0
    for contact in contacts:
        if contact.notified_asset_id == asset.id:
            continue
        outbox.queue(session, _email(session, contact, link, asset, number))
        contact.notified_asset_id = asset.id
        session.add(contact)
        told += 1
    return told


def follow_new_version(*, asset_id: UUID, tenant_id: UUID) -> dict[str, Any]:
    """The job: links of the deliverable that follow the latest move to this version; clients
    of links that say so are emailed. Its dict becomes the run's `job_runs.meta`."""
    with tenant_session(TenantContext(tenant_id=tenant_id)) as session:
        asset = session.get(Asset, asset_id)
        if asset is None or asset.status != "ready":
            return {"result": "skipped", "reason": "the version is not ready"}
        current = select(Asset).where(
            col(Asset.project_id) == asset.project_id,
            col(Asset.deliverable_key) == asset.deliverable_key,
        )
        versions = {a.id: a for a in session.scalars(current)}
        links = session.scalars(
            select(ShareLink)
            .where(col(ShareLink.asset_id).in_(list(versions)))
            .order_by(col(ShareLink.created_at))
            .with_for_update()
        ).all()
        number = deliverable_version(session, asset)
        moved = told = 0
        for link in links:
            status = effective_status(link)
            on = versions[link.asset_id]
            if status not in ("active", "exhausted") or on.version >= asset.version:
                continue
            if link.follow_latest:
                link.asset_id = asset.id
                session.add(link)
                session.flush()
                queue_rendition(session, link)
                moved += 1
            if link.notify_new_versions and status == "active":
                told += _tell_clients(session, link, asset, number)
    return {"links_moved": moved, "clients_told": told, "asset_id": str(asset_id)}
