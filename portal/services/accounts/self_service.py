"""Self-service account flows: magic links, password resets, invite acceptance, profile, sessions.

Requests for a link always answer the same way, whether or not the email has an account.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from uuid import UUID

from sqlalchemy import select, text, update

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.models import Tenant, User, UserSession
from portal.services.accounts import throttle, tokens
from portal.services.accounts.auth import NewSession, SessionUser, open_session, validate_login_form
from portal.services.accounts.passwords import (
    check_password_policy,
    hash_password,
    verify_password,
)
from portal.services.accounts.view_types import SessionView
from portal.services.core.errors import InvalidInput, InvalidLink, NotFound, Throttled
from portal.services.core.locale import format_datetime
from portal.services.core.validation import CONTROL, MAX_TITLE, reject_control
from portal.services.email import outbox, templates
from portal.services.notifications.events import on_invite_accepted
from portal.settings import get_settings

log = logging.getLogger(__name__)
MAX_NAME = MAX_TITLE


def form_message(code: str) -> str:
    """The fixed message for an error code a form page was redirected with ('' if none)."""
    if not code:
        return ""
    minimum = get_settings().password_min_length
    messages = {
        "mismatch": "The two passwords do not match.",
        "short": f"Use at least {minimum} characters.",
        "long": "That password is too long.",
        "common": "That password is too common. Choose another.",
        "contains_email": "Don't use your email address in your password.",
        "name": f"Enter your name (at most {MAX_NAME} characters).",
        "bad_email": "Enter a valid email address.",
        "throttled": Throttled.user_message,
        "link": InvalidLink.user_message,
        "origin": "That request did not come from this site. Please try again.",
    }
    return messages.get(code, "Something went wrong. Please try again.")


def _accent(tenant_id: UUID) -> str | None:
    with tenant_session(None) as session:
        tenant = session.get(Tenant, tenant_id)
    return (tenant.branding or {}).get("accent_color") if tenant else None


def _link(path: str, token: str, next_path: str = "") -> str:
    """The emailed address; with `next_path` when it is a same-site page to open after signing
    in (routes.safe_next decides; the dashboard is the default and needs no parameter)."""
    back = routes.safe_next(next_path)
    back = f"&next={quote(back)}" if back != routes.DASHBOARD else ""
    return f"{get_settings().portal_url.rstrip('/')}{path}?token={token}{back}"


def _login_row(email: str):  # type: ignore[no-untyped-def]
    with tenant_session(None) as session:
        return (
            session.execute(text("SELECT * FROM auth_login_lookup(:email)"), {"email": email})
            .mappings()
            .first()
        )


def _request_link(*, kind: str, email: str, ip: str | None, next_path: str = "") -> None:
    """Shared by magic link and reset requests: throttle, issue, email; same answer always."""
    email = (email or "").strip()
    if not email or "@" not in email or len(email) > 320 or CONTROL.search(email):
        raise InvalidInput("Enter a valid email address.", code="bad_email")
    # Every request counts towards the limits: links are not free to ask for.
    throttle.reserve(kind=kind, email=email, ip=ip)
    row = _login_row(email)
    if row is None or row["status"] != "active" or row["tenant_status"] != "active":
        return
    settings = get_settings()
    ctx = TenantContext(tenant_id=row["tenant_id"], user_id=row["user_id"])
    if kind == "magic_link":
        ttl, path = timedelta(minutes=settings.magic_link_minutes), "/login/magic"
    else:
        ttl, path = timedelta(minutes=settings.password_reset_minutes), "/reset"
    render = templates.magic_link if kind == "magic_link" else templates.password_reset
    accent = _accent(ctx.tenant_id)
    # The token and its email (a queued job) commit together; the job sends it (issue 17).
    with tenant_session(ctx) as session:
        raw = tokens.issue(
            session=session, tenant_id=ctx.tenant_id, user_id=ctx.user_id, purpose=kind, ttl=ttl
        )
        tenant = session.get(Tenant, ctx.tenant_id)
        message = render(
            to=email,
            url=_link(path, raw, next_path),
            minutes=int(ttl.total_seconds() // 60),
            tenant_name=tenant.name if tenant else "Motion Mavericks",
            accent=accent,
            tenant_id=ctx.tenant_id,
        )
        outbox.queue(session, message)


def request_magic_link(*, email: str, ip: str | None = None, next_path: str = "") -> None:
    """Email a one-time sign-in link (15 minutes) if the account exists and is active; the link
    carries `next_path`, the page to open after signing in."""
    _request_link(kind="magic_link", email=email, ip=ip, next_path=next_path)


def request_password_reset(*, email: str, ip: str | None = None) -> None:
    """Email a one-time password reset link (30 minutes) if the account exists and is active."""
    _request_link(kind="password_reset", email=email, ip=ip)


def sign_in_with_magic_link(*, token: str, user_agent: str = "") -> NewSession:
    """Use a magic link once and open a session."""
    info = tokens.peek(token, "magic_link")
    if info.user_status != "active":
        raise InvalidLink()
    with tenant_session(info.context) as session:
        tokens.consume(session=session, info=info)
    return open_session(info.context, user_agent=user_agent)


def reset_password(*, token: str, password: str, confirm: str) -> None:
    """Set a new password with a reset link (once); every session of the user ends."""
    info = tokens.peek(token, "password_reset")
    check_password_policy(password, email=info.email, confirm=confirm)
    with tenant_session(info.context) as session:
        tokens.consume(session=session, info=info)
        session.execute(
            update(User)
            .where(User.id == info.user_id)
            .values(password_hash=hash_password(password))
        )
        _revoke_all(session, info.user_id)


def peek_invite(token: str | None) -> tokens.TokenInfo:
    """The invitation behind a link (for the accept page), or InvalidLink."""
    info = tokens.peek(token, "invite")
    if info.user_status != "invited":
        raise InvalidLink()
    return info


def accept_invite(
    *, token: str, name: str, password: str, confirm: str, user_agent: str = ""
) -> NewSession:
    """Accept an invitation: set name and password, activate, sign in."""
    info = peek_invite(token)
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or CONTROL.search(name):
        raise InvalidInput(f"Enter your name (at most {MAX_NAME} characters).", code="name")
    check_password_policy(password, email=info.email, confirm=confirm)
    with tenant_session(info.context) as session:
        tokens.consume(session=session, info=info)
        session.execute(
            update(User)
            .where(User.id == info.user_id, User.status == "invited")
            .values(name=name, password_hash=hash_password(password), status="active")
        )
        on_invite_accepted(session=session, token_id=info.token_id, user_id=info.user_id)
    return open_session(info.context, user_agent=user_agent)


def update_profile(*, user: SessionUser, name: str) -> None:
    """Change the signed-in user's display name."""
    name = reject_control((name or "").strip(), label="Your name")
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"Enter a name of at most {MAX_NAME} characters.")
    with tenant_session(user.context) as session:
        session.execute(update(User).where(User.id == user.user_id).values(name=name))


def change_password(*, user: SessionUser, current: str, new: str, confirm: str) -> None:
    """Change password after re-checking the current one (a wrong one counts as a failed
    sign-in, so a borrowed session cannot guess it); other sessions end."""
    validate_login_form(email=user.email, password=current or " ")
    reservation = throttle.reserve(kind="login", email=user.email, ip=None)
    with tenant_session(user.context) as session:
        stored = session.scalar(select(User.password_hash).where(User.id == user.user_id))
    if not verify_password(current or "", stored):
        raise InvalidInput("Your current password is not right.", code="current")
    throttle.succeeded(reservation)
    check_password_policy(new, email=user.email, confirm=confirm)
    with tenant_session(user.context) as session:
        session.execute(
            update(User).where(User.id == user.user_id).values(password_hash=hash_password(new))
        )
        _revoke_all(session, user.user_id, keep=user.session_id)


def list_sessions(*, user: SessionUser) -> list[SessionView]:
    """The user's live sessions, newest first."""
    with tenant_session(user.context) as session:
        rows = session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.user_id)
            .where(UserSession.revoked_at.is_(None), UserSession.expires_at > datetime.now(UTC))
            .order_by(UserSession.created_at.desc())
        ).all()
    return [
        SessionView(
            id=str(r.id),
            user_agent=_short_agent(r.user_agent),
            created_at=_when(r.created_at),
            last_seen_at=_when(r.last_seen_at),
            current=r.id == user.session_id,
        )
        for r in rows
    ]


def revoke_session(*, user: SessionUser, session_id: str) -> None:
    """End one of the user's own sessions (another user's id is simply not found)."""
    try:
        target = UUID(session_id)
    except (ValueError, TypeError):
        raise NotFound() from None
    with tenant_session(user.context) as session:
        done = session.execute(
            update(UserSession)
            .where(UserSession.id == target, UserSession.user_id == user.user_id)
            .where(UserSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if not done.rowcount:
            raise NotFound()


def _revoke_all(session, user_id: UUID, keep: UUID | None = None) -> None:  # type: ignore[no-untyped-def]
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id)
        .where(UserSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if keep:
        statement = statement.where(UserSession.id != keep)
    session.execute(statement)


def _when(value: datetime | None) -> str:
    """A session time in the viewer's time zone, e.g. "25 Nov 2026, 2:05 pm"."""
    return format_datetime(value)


def _short_agent(agent: str) -> str:
    for name in ("Edg", "Firefox", "Chrome", "Safari"):
        if name in agent:
            return {"Edg": "Edge"}.get(name, name) + (
                " on Mac"
                if "Mac" in agent
                else " on Windows"
                if "Windows" in agent
                else " on Linux"
                if "Linux" in agent
                else ""
            )
    return agent[:60] or "Unknown browser"
