"""Sign-in, sessions and sign-out against the real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from portal.db import tenant_session
from portal.models import User, UserSession
from portal.services.accounts.auth import resolve_session, sign_in, sign_out
from portal.services.accounts.passwords import token_hash
from portal.services.core.errors import InvalidCredentials, InvalidInput
from tests.factories import PASSWORD, ctx, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")


def test_sign_in_opens_a_session_and_records_last_login() -> None:
    tenant = make_tenant()
    user = make_user(tenant=tenant, email="Person.One@Example.test")
    new = sign_in(email="  person.one@example.test ", password=PASSWORD, user_agent="pytest")
    who = resolve_session(new.token)
    assert who is not None
    assert (who.user_id, who.tenant_id, who.role) == (user.id, tenant.id, "agency")
    with tenant_session(ctx(tenant)) as session:
        stored = session.scalars(
            select(UserSession.token_hash).where(UserSession.user_id == user.id)
        ).all()
        last_login = session.scalar(select(User.last_login_at).where(User.id == user.id))
    # Only the hash of the token is stored.
    assert stored == [token_hash(new.token)] and new.token not in stored
    assert last_login is not None


@pytest.mark.parametrize(
    ("email", "password", "error", "code"),
    [
        ("", "", InvalidInput, "missing"),
        ("", "x", InvalidInput, "email"),
        ("a@b.test", "", InvalidInput, "password"),
        ("not-an-email", "x", InvalidInput, "bad_email"),
        ("nobody@nowhere.test", PASSWORD, InvalidCredentials, "credentials"),
    ],
)
def test_bad_sign_in_gives_a_clear_error(email: str, password: str, error: type, code: str) -> None:
    with pytest.raises(error) as raised:
        sign_in(email=email, password=password)
    assert raised.value.code == code
    assert raised.value.user_message


def test_wrong_password_and_unknown_email_look_the_same() -> None:
    user = make_user(tenant=make_tenant())
    with pytest.raises(InvalidCredentials) as wrong:
        sign_in(email=user.email, password="not-the-password")
    with pytest.raises(InvalidCredentials) as unknown:
        sign_in(email="unknown-" + user.email, password="not-the-password")
    assert wrong.value.user_message == unknown.value.user_message


def test_failed_sign_in_writes_nothing(owner_conn) -> None:
    tenant = make_tenant()
    user = make_user(tenant=tenant)
    with pytest.raises(InvalidCredentials):
        sign_in(email=user.email, password="wrong")
    with tenant_session(ctx(tenant)) as session:
        assert session.scalar(text("SELECT count(*) FROM user_sessions")) == 0
        assert session.scalar(select(User.last_login_at).where(User.id == user.id)) is None


@pytest.mark.parametrize("status", ["deactivated", "invited"])
def test_inactive_users_cannot_sign_in(status: str) -> None:
    user = make_user(tenant=make_tenant(), status=status)
    with pytest.raises(InvalidCredentials):
        sign_in(email=user.email, password=PASSWORD)


def test_guests_cannot_sign_in() -> None:
    user = make_user(tenant=make_tenant(), role="guest")
    with pytest.raises(InvalidCredentials):
        sign_in(email=user.email, password=PASSWORD)


def test_deactivating_a_user_ends_their_sessions_at_once() -> None:
    tenant = make_tenant()
    user = make_user(tenant=tenant)
    new = sign_in(email=user.email, password=PASSWORD)
    assert resolve_session(new.token) is not None
    with tenant_session(ctx(tenant)) as session:
        session.execute(update(User).where(User.id == user.id).values(status="deactivated"))
    assert resolve_session(new.token) is None


def test_sign_out_revokes_the_session() -> None:
    user = make_user(tenant=make_tenant())
    new = sign_in(email=user.email, password=PASSWORD)
    sign_out(token=new.token)
    assert resolve_session(new.token) is None
    sign_out(token=new.token)  # idempotent


def test_expired_or_idle_sessions_are_refused() -> None:
    tenant = make_tenant()
    user = make_user(tenant=tenant)
    absolute, idle = (sign_in(email=user.email, password=PASSWORD) for _ in range(2))
    with tenant_session(ctx(tenant)) as session:
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(absolute.token))
            .values(expires_at=text("now() - interval '1 second'"))
        )
        session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(idle.token))
            .values(last_seen_at=text("now() - interval '30 days'"))
        )
    assert resolve_session(absolute.token) is None
    assert resolve_session(idle.token) is None


@pytest.mark.parametrize("token", [None, "", "garbage", "x" * 5000])
def test_unknown_tokens_resolve_to_nobody(token: str | None) -> None:
    assert resolve_session(token) is None


def test_admin_of_admin_tenant_gets_admin_scope() -> None:
    studio = make_tenant(type="admin")
    admin = make_user(tenant=studio, role="admin")
    agency_user = make_user(tenant=make_tenant(managed_by=studio))
    who = resolve_session(sign_in(email=admin.email, password=PASSWORD).token)
    assert who is not None and who.context.admin_scope
    other = resolve_session(sign_in(email=agency_user.email, password=PASSWORD).token)
    assert other is not None and not other.context.admin_scope


def test_anonymous_context_cannot_read_password_hashes() -> None:
    make_user(tenant=make_tenant())
    with tenant_session(None) as session:
        assert session.scalar(text("SELECT count(*) FROM users")) == 0
        # The app role may set the lookup flag itself, but the policy honours it only for the owner.
        session.execute(text("SELECT set_config('app.auth_lookup', 'on', true)"))
        assert session.scalar(text("SELECT count(*) FROM users")) == 0
