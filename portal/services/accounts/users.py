"""User administration: invite, re-send or revoke invites, change roles, (de)activate; list and
remove guest identities (made by comments on share links).

Studio admins manage users of the tenants they manage (admin scope); agency admins manage their
own tenant. Row-level security limits the rows; `require(..., MANAGE_USERS)` limits who acts.
A guest never holds an email against a member: inviting an address a guest used turns that
guest identity into the invited account (same id, so its comments stay attributed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from portal.db import tenant_session
from portal.models import AuthToken, Comment, ShareLinkContact, Tenant, User, UserSession
from portal.services.accounts import tokens
from portal.services.accounts.auth import SessionUser
from portal.services.accounts.tenants import tenant_in_scope
from portal.services.accounts.view_types import GuestView, UserView
from portal.services.core.errors import InvalidInput, NotFound, PermissionDenied
from portal.services.core.locale import format_datetime
from portal.services.core.permissions import Action, require
from portal.services.core.rows import insert_row, save_row
from portal.services.core.validation import CONTROL, MAX_TITLE, reject_control
from portal.services.email import outbox, templates
from portal.settings import get_settings

ROLES = ("admin", "agency")
EMAIL_MAX = 320


def list_users(*, user: SessionUser, tenant_id: str = "") -> list[UserView]:
    """Portal users (not guests) in the caller's scope, optionally of one tenant."""
    require(user, Action.MANAGE_USERS)
    query = (
        select(User, Tenant.name)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(User.role != "guest")
        .order_by(Tenant.name, User.email)
    )
    if tenant_id:
        query = query.where(User.tenant_id == _uuid(tenant_id))
    with tenant_session(user.context) as session:
        rows = session.execute(query).all()
    return [
        UserView(
            id=str(u.id),
            name=u.name,
            email=u.email,
            role=u.role,
            status=u.status,
            tenant_id=str(u.tenant_id),
            tenant_name=tenant_name,
            last_login=format_datetime(u.last_login_at) or "never",
            is_me=u.id == user.user_id,
        )
        for u, tenant_name in rows
    ]


def invite_user(*, user: SessionUser, tenant_id: str, email: str, name: str, role: str) -> str:
    """Create an invited user and email them a link; returns the new user's id."""
    require(user, Action.MANAGE_USERS)
    email, name = (email or "").strip(), (name or "").strip()
    if not email or "@" not in email or len(email) > EMAIL_MAX or " " in email:
        raise InvalidInput("Enter a valid email address.")
    if CONTROL.search(email) or email.count("@") != 1:
        raise InvalidInput("Enter a valid email address.")
    if len(name) > MAX_TITLE:
        raise InvalidInput(f"Names are at most {MAX_TITLE} characters.")
    reject_control(name, label="The name")
    target = _tenant_in_scope(user, tenant_id)
    _check_role(user, target, role)
    settings = get_settings()
    with tenant_session(user.context) as session:
        invited = _claim_guest(session, target.id, email, name, role) or insert_row(
            session,
            User(tenant_id=target.id, role=role, email=email, name=name, status="invited"),
        )
        raw = tokens.issue(
            session=session,
            tenant_id=target.id,
            user_id=invited.id,
            purpose="invite",
            ttl=timedelta(days=settings.invite_days),
            created_by=user.user_id,
        )
        _send_invite(session, user, target, email, raw)  # the row and its email commit together
    return str(invited.id)


def _claim_guest(session, tenant_id: UUID, email: str, name: str, role: str) -> User | None:  # type: ignore[no-untyped-def]
    """The tenant's guest identity for `email`, turned into the invited account (or None)."""
    guest = session.scalars(
        select(User)
        .where(User.tenant_id == tenant_id, func.lower(User.email) == email.lower())
        .where(User.role == "guest")
        .with_for_update()
    ).first()
    if guest is None:
        return None
    guest.role, guest.status, guest.email = role, "invited", email
    guest.name = name or guest.name
    return save_row(session, guest)


def list_guests(*, user: SessionUser, tenant_id: str = "") -> list[GuestView]:
    """Guest identities (share-link commenters) in the caller's scope, optionally of one tenant."""
    require(user, Action.MANAGE_USERS)
    written = (
        select(func.count())
        .select_from(Comment)
        .where(Comment.author_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    query = (
        select(User, Tenant.name, written)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(User.role == "guest")
        .order_by(Tenant.name, User.email)
    )
    if tenant_id:
        query = query.where(User.tenant_id == _uuid(tenant_id))
    with tenant_session(user.context) as session:
        rows = session.execute(query).all()
    return [
        GuestView(str(g.id), g.name, g.email, tenant_name, count or 0)
        for g, tenant_name, count in rows
    ]


def remove_guest(*, user: SessionUser, user_id: str) -> None:
    """Remove a guest identity: its email is free again; its comments stay, shown as "Guest";
    its share-link decisions stay as history (with the name given); its addresses on share
    links (`share_link_contacts`) go in the same transaction, so it is told of no new version."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        guest = session.get(User, _uuid(user_id))
        if guest is None or guest.role != "guest":
            raise NotFound("That guest does not exist or is not one you manage.")
        session.execute(
            delete(ShareLinkContact).where(
                col(ShareLinkContact.tenant_id) == guest.tenant_id,
                func.lower(ShareLinkContact.email) == guest.email.lower(),
            )
        )
        session.execute(delete(User).where(User.id == guest.id, User.role == "guest"))


def resend_invite(*, user: SessionUser, user_id: str) -> None:
    """Issue a fresh invitation link (the old one stops working)."""
    require(user, Action.MANAGE_USERS)
    settings = get_settings()
    with tenant_session(user.context) as session:
        invited = _get_user(session, user_id)
        if invited.status != "invited":
            raise InvalidInput("This person has already accepted the invitation.")
        tenant = session.get(Tenant, invited.tenant_id)
        raw = tokens.issue(
            session=session,
            tenant_id=invited.tenant_id,
            user_id=invited.id,
            purpose="invite",
            ttl=timedelta(days=settings.invite_days),
            created_by=user.user_id,
        )
        _send_invite(session, user, tenant, invited.email, raw)


def revoke_invite(*, user: SessionUser, user_id: str) -> None:
    """Withdraw a pending invitation (the invited account is removed; one made from a guest who
    commented goes back to being that guest, so the comments keep their author)."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        invited = _get_user(session, user_id)
        if invited.status != "invited":
            raise InvalidInput("Only pending invitations can be revoked.")
        session.execute(delete(AuthToken).where(AuthToken.user_id == invited.id))
        wrote = session.scalar(select(Comment.id).where(Comment.author_id == invited.id).limit(1))
        if wrote is None:
            session.execute(delete(User).where(User.id == invited.id))
        else:
            session.execute(
                update(User).where(User.id == invited.id).values(role="guest", status="active")
            )


def change_role(*, user: SessionUser, user_id: str, role: str) -> None:
    """Make someone an admin or an agency member of their tenant."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        target = _get_user(session, user_id)
        if target.id == user.user_id:
            raise InvalidInput("You cannot change your own role.")
        _check_role(user, session.get(Tenant, target.tenant_id), role)
        session.execute(update(User).where(User.id == target.id).values(role=role))


def set_active(*, user: SessionUser, user_id: str, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate a user."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        target = _get_user(session, user_id)
        if target.id == user.user_id:
            raise InvalidInput("You cannot deactivate yourself.")
        if target.status == "invited":
            raise InvalidInput("Revoke the invitation instead.")
        status = "active" if active else "deactivated"
        session.execute(update(User).where(User.id == target.id).values(status=status))
        if not active:
            session.execute(
                update(UserSession)
                .where(UserSession.user_id == target.id)
                .where(UserSession.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )


def _send_invite(session, user: SessionUser, tenant: Tenant, email: str, raw: str) -> None:  # type: ignore[no-untyped-def]
    """Queue the invitation email in the caller's transaction (sent by the mail job)."""
    base = get_settings().portal_url.rstrip("/")
    outbox.queue(
        session,
        templates.invite(
            to=email,
            url=f"{base}/invite?token={raw}",
            days=get_settings().invite_days,
            tenant_name=tenant.name,
            inviter=user.name or user.email,
            accent=(tenant.branding or {}).get("accent_color"),
            tenant_id=tenant.id,
        ),
    )


def _tenant_in_scope(user: SessionUser, tenant_id: str) -> Tenant:
    """The tenant if the caller's scope includes it (tenants have no RLS: checked here)."""
    if not tenant_id and user.tenant_type == "admin":
        raise InvalidInput("Choose the tenant to invite into.")
    with tenant_session(user.context) as session:
        return tenant_in_scope(session, tenant_id or user.tenant_id)


def _check_role(user: SessionUser, tenant: Tenant | None, role: str) -> None:
    if role not in ROLES:
        raise InvalidInput("Choose a role: admin or agency.")
    if tenant is not None and tenant.type == "admin" and role != "admin":
        raise InvalidInput("Studio accounts are admins.")
    if user.tenant_type != "admin" and tenant is not None and tenant.id != user.tenant_id:
        raise PermissionDenied()


def _get_user(session, user_id: str) -> User:  # type: ignore[no-untyped-def]
    target = session.get(User, _uuid(user_id))
    if target is None or target.role == "guest":
        raise NotFound("That user does not exist or is not one you manage.")
    return target


def _uuid(value: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise NotFound() from None
