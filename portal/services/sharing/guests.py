"""Guest comments on a share link: the guest gives a name and an email once; they are stored as a
guest user of the link's tenant (role `guest`: never signs in, never notified) and the comment
goes through the asset comment service (timecode checks, PII masking, notifications).

A guest sees only the comments left through the same link — never the team's review thread.
A guest cannot sign with the address of a member of the tenant (refused with a clear message),
and an address a guest used never blocks an invitation: inviting it turns that guest identity
into the account (users_admin.invite_user); admins list and remove guests on the users page.
"""

from __future__ import annotations

import math
import re
from uuid import UUID

from sqlalchemy import String, cast, func, select
from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.models import Comment, User
from portal.services.core.errors import InvalidInput, PermissionDenied, WrongVersion
from portal.services.core.locale import format_datetime
from portal.services.core.rows import insert_row
from portal.services.core.validation import clean_text
from portal.services.media.annotations import DrawingMark
from portal.services.media.assets import get_asset
from portal.services.media.comments import add_asset_comment, asset_drawings
from portal.services.media.timecode import format_timecode
from portal.services.sharing.access import LinkInfo
from portal.services.sharing.follow import remember_contact
from portal.services.sharing.view_types import GuestCommentView

MAX_GUEST_NAME = 100
MAX_EMAIL = 320
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_guest(name: str | None, email: str | None) -> tuple[str, str]:
    """A guest's name and email, checked; the name is shown as text (escaped), never as HTML."""
    name = CONTROL.sub(" ", name or "")
    name = clean_text(name, label="Your name", max_length=MAX_GUEST_NAME)
    email = (email or "").strip()
    if not email:
        raise InvalidInput("Your email is required.")
    if len(email) > MAX_EMAIL or not EMAIL.fullmatch(email) or CONTROL.search(email):
        raise InvalidInput("Enter a valid email address.")
    return name, email


def guest_user(session: Session, tenant_id: UUID, name: str, email: str) -> User:
    """The tenant's guest user for this email (created on first use; the name follows the
    latest comment). An address that belongs to a portal account is refused."""
    query = select(User).where(User.tenant_id == tenant_id, func.lower(User.email) == email.lower())
    user = session.scalars(query).first()
    if user is None:
        user = insert_row(session, User(tenant_id=tenant_id, role="guest", email=email, name=name))
    if user.role != "guest":
        raise InvalidInput(
            "That address belongs to a portal account: sign in to the portal to comment, "
            "or use another address."
        )
    if user.name != name:
        user.name = name
        session.add(user)
    return user


def add_guest_comment(
    *,
    info: LinkInfo,
    name: str,
    email: str,
    body: str,
    timecode: float | str | None,
    annotation: object = None,
    asset_id: UUID | str | None = None,
) -> Comment:
    """A guest's timecoded comment (optionally with a drawing on that frame) on the link's
    version and nothing else: `asset_id`, when the page says which version it drew on, must be
    the one the link grants."""
    if not info.usable or not info.allow_comments:
        raise PermissionDenied("Comments are not open on this link.")
    if asset_id is not None and str(asset_id).strip().lower() != str(info.asset_id):
        raise WrongVersion()
    name, email = clean_guest(name, email)
    with tenant_session(TenantContext(tenant_id=info.tenant_id)) as session:
        guest = guest_user(session, info.tenant_id, name, email)
        comment = add_asset_comment(
            session=session,
            asset_id=info.asset_id,
            author_id=guest.id,
            body=body,
            timecode=timecode,
            annotation=annotation,
        )
        comment.meta = {**comment.meta, "share_link_id": str(info.link_id), "guest": True}
        insert_row(session, comment)
        remember_contact(
            session, link_id=info.link_id, tenant_id=info.tenant_id, name=name, email=email
        )
    return comment


def guest_drawings(*, info: LinkInfo) -> list[DrawingMark]:
    """The drawings left through this link (a guest never sees the team's)."""
    with tenant_session(TenantContext(tenant_id=info.tenant_id)) as session:
        return asset_drawings(session=session, asset_id=info.asset_id, share_link_id=info.link_id)


def guest_comments(*, info: LinkInfo) -> list[GuestCommentView]:
    """Comments left through this link, in timecode order."""
    with tenant_session(TenantContext(tenant_id=info.tenant_id)) as session:
        asset = get_asset(session=session, asset_id=info.asset_id)
        rows = session.execute(
            select(Comment, User.name)
            .outerjoin(User, User.id == Comment.author_id)
            .where(
                Comment.parent_type == "asset",
                Comment.parent_id == asset.id,
                Comment.meta["share_link_id"].astext == cast(info.link_id, String),
            )
            .order_by(Comment.created_at, Comment.id)
        ).all()
    fps = float(asset.frame_rate or 25)
    views = []
    for comment, author in rows:
        seconds = float(comment.meta.get("timecode") or 0)
        seconds = seconds if math.isfinite(seconds) else 0.0
        views.append(
            GuestCommentView(
                id=str(comment.id),
                author_name=author or "Guest",
                body=comment.body,
                created_at=format_datetime(comment.created_at),
                timecode=format_timecode(seconds, fps),
                seconds=seconds,
                has_drawing=isinstance(comment.meta.get("annotation"), dict),
            )
        )
    return sorted(views, key=lambda v: v.seconds)
