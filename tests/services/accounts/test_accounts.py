"""Throttling, magic links, password resets, invites, profile and sessions (real database)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text, update

from portal.db import tenant_session
from portal.models import AuthToken, OutboxEmail, User
from portal.services.accounts import self_service
from portal.services.accounts.auth import resolve_session, sign_in
from portal.services.accounts.passwords import hash_password, token_hash
from portal.services.core.errors import (
    InvalidCredentials,
    InvalidInput,
    InvalidLink,
    NotFound,
    Throttled,
)
from tests.concurrency_support import VerifierGate
from tests.factories import PASSWORD, ctx, make_tenant, make_user, session_of

pytestmark = pytest.mark.usefixtures("database")
NEW_PASSWORD = "a-much-better-passphrase"


def last_link(email: str, path: str) -> str:
    """The token in the newest outbox email to `email` for `path`."""
    with tenant_session(None) as session:
        body = session.scalar(
            select(OutboxEmail.text_body)
            .where(OutboxEmail.to_address == email)
            .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        )
    assert body, f"no email to {email}"
    match = re.search(re.escape(path) + r"\?token=([\w-]+)", body)
    assert match, body
    return match.group(1)


def outbox_count(email: str) -> int:
    with tenant_session(None) as session:
        return len(
            session.scalars(select(OutboxEmail.id).where(OutboxEmail.to_address == email)).all()
        )


def test_sixth_wrong_password_is_throttled_and_right_one_too(owner_conn) -> None:
    user = make_user(tenant=make_tenant())
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            sign_in(email=user.email, password="wrong", ip="203.0.113.9")
    with pytest.raises(Throttled, match="Too many attempts"):
        sign_in(email=user.email, password="wrong", ip="203.0.113.9")
    # The right password is refused too until the window has passed ...
    with pytest.raises(Throttled):
        sign_in(email=user.email, password=PASSWORD, ip="198.51.100.7")
    # ... after which it works again.
    owner_conn.execute("UPDATE login_attempts SET created_at = now() - interval '16 minutes'")
    assert resolve_session(sign_in(email=user.email, password=PASSWORD).token) is not None


def test_throttle_by_address_across_accounts() -> None:
    tenant = make_tenant()
    users = [make_user(tenant=tenant) for _ in range(21)]
    address = "192.0.2.77"
    for victim in users[:20]:
        with pytest.raises(InvalidCredentials):
            sign_in(email=victim.email, password="wrong", ip=address)
    with pytest.raises(Throttled):
        sign_in(email=users[20].email, password=PASSWORD, ip=address)
    # The same account from another address is fine.
    assert sign_in(email=users[20].email, password=PASSWORD, ip="192.0.2.78").token


def test_throttle_table_holds_no_email_or_address() -> None:
    user = make_user(tenant=make_tenant())
    with pytest.raises(InvalidCredentials):
        sign_in(email=user.email, password="wrong", ip="203.0.113.200")
    with tenant_session(None) as session:
        dump = " ".join(str(r) for r in session.execute(text("SELECT * FROM login_attempts")).all())
    assert user.email not in dump and "203.0.113.200" not in dump


def test_outdated_password_hash_is_upgraded_on_sign_in() -> None:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    tenant = make_tenant()
    user = make_user(tenant=tenant)
    weak = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192),)).hash(PASSWORD)
    with tenant_session(ctx(tenant)) as session:
        session.execute(update(User).where(User.id == user.id).values(password_hash=weak))
    sign_in(email=user.email, password=PASSWORD)
    with tenant_session(ctx(tenant)) as session:
        stored = session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored != weak and stored.startswith("$argon2")


def test_magic_link_signs_in_once() -> None:
    user = make_user(tenant=make_tenant())
    self_service.request_magic_link(email=user.email)
    token = last_link(user.email, "/login/magic")
    new = self_service.sign_in_with_magic_link(token=token)
    assert resolve_session(new.token).user_id == user.id
    with pytest.raises(InvalidLink):
        self_service.sign_in_with_magic_link(token=token)


def test_magic_link_for_unknown_email_looks_the_same_and_sends_nothing() -> None:
    self_service.request_magic_link(email="nobody-here@example.test")
    assert outbox_count("nobody-here@example.test") == 0


@pytest.mark.parametrize("token", ["", "nope", "x" * 500, "../../etc/passwd"])
def test_wrong_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidLink):
        self_service.sign_in_with_magic_link(token=token)
    with pytest.raises(InvalidLink):
        self_service.reset_password(token=token, password=NEW_PASSWORD, confirm=NEW_PASSWORD)


def test_expired_magic_link_is_refused() -> None:
    tenant = make_tenant()
    user = make_user(tenant=tenant)
    self_service.request_magic_link(email=user.email)
    token = last_link(user.email, "/login/magic")
    with tenant_session(ctx(tenant)) as session:
        session.execute(
            update(AuthToken)
            .where(AuthToken.token_hash == token_hash(token))
            .values(expires_at=text("now() - interval '1 second'"))
        )
    with pytest.raises(InvalidLink):
        self_service.sign_in_with_magic_link(token=token)


def test_new_magic_link_revokes_the_previous_one() -> None:
    user = make_user(tenant=make_tenant())
    self_service.request_magic_link(email=user.email)
    first = last_link(user.email, "/login/magic")
    self_service.request_magic_link(email=user.email)
    second = last_link(user.email, "/login/magic")
    with pytest.raises(InvalidLink):
        self_service.sign_in_with_magic_link(token=first)
    assert self_service.sign_in_with_magic_link(token=second).token


def test_magic_link_requests_are_throttled() -> None:
    user = make_user(tenant=make_tenant())
    for _ in range(5):
        self_service.request_magic_link(email=user.email)
    with pytest.raises(Throttled):
        self_service.request_magic_link(email=user.email)


def test_password_reset_once_and_ends_sessions() -> None:
    user = make_user(tenant=make_tenant())
    before = sign_in(email=user.email, password=PASSWORD)
    self_service.request_password_reset(email=user.email)
    token = last_link(user.email, "/reset")
    with pytest.raises(InvalidInput, match="do not match"):
        self_service.reset_password(token=token, password=NEW_PASSWORD, confirm="other")
    with pytest.raises(InvalidInput, match="at least 12"):
        self_service.reset_password(token=token, password="short", confirm="short")
    self_service.reset_password(token=token, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert resolve_session(before.token) is None
    with pytest.raises(InvalidLink):
        self_service.reset_password(token=token, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        sign_in(email=user.email, password=PASSWORD)
    assert sign_in(email=user.email, password=NEW_PASSWORD).token


@pytest.mark.parametrize("weak", ["password1234", "aaaaaaaaaaaaaaa", "motionmavericks"])
def test_common_passwords_are_refused(weak: str) -> None:
    from portal.services.accounts.passwords import check_password_policy

    with pytest.raises(InvalidInput):
        check_password_policy(weak)


def test_profile_and_password_change() -> None:
    tenant = make_tenant()
    user = make_user(tenant=tenant)
    other_browser = sign_in(email=user.email, password=PASSWORD)
    me = session_of(user)
    self_service.update_profile(user=me, name="  Renamed Person ")
    with pytest.raises(InvalidInput):
        self_service.update_profile(user=me, name="x" * 201)
    with pytest.raises(InvalidInput, match="current password"):
        self_service.change_password(
            user=me, current="wrong", new=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
    self_service.change_password(user=me, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert resolve_session(other_browser.token) is None  # other sessions end
    assert resolve_session_name(tenant, user) == "Renamed Person"


def resolve_session_name(tenant, user) -> str:
    with tenant_session(ctx(tenant)) as session:
        return session.scalar(select(User.name).where(User.id == user.id))


def test_sessions_list_and_revoke_only_own() -> None:
    tenant = make_tenant()
    user, other = make_user(tenant=tenant), make_user(tenant=tenant)
    first = sign_in(
        email=user.email, password=PASSWORD, user_agent="Mozilla/5.0 (X11; Linux) Chrome/1"
    )
    me = session_of(user)
    theirs = session_of(other)
    listed = self_service.list_sessions(user=me)
    assert len(listed) == 2 and sum(s.current for s in listed) == 1
    assert "Chrome on Linux" in {s.user_agent for s in listed}
    with pytest.raises(NotFound):
        self_service.revoke_session(user=me, session_id=str(theirs.session_id))
    with pytest.raises(NotFound):
        self_service.revoke_session(user=me, session_id="not-a-uuid")
    target = next(s for s in listed if not s.current)
    self_service.revoke_session(user=me, session_id=target.id)
    assert resolve_session(first.token) is None
    assert resolve_session(sign_in(email=other.email, password=PASSWORD).token) is not None


def test_no_token_is_stored_in_clear() -> None:
    user = make_user(tenant=make_tenant())
    self_service.request_password_reset(email=user.email)
    token = last_link(user.email, "/reset")
    with tenant_session(ctx(make_tenant())) as session:
        assert session.scalar(select(AuthToken.id).where(AuthToken.token_hash == token)) is None


def test_deactivated_user_gets_no_reset_link() -> None:
    user = make_user(tenant=make_tenant(), status="deactivated")
    self_service.request_password_reset(email=user.email)
    assert outbox_count(user.email) == 0
    assert hash_password("x")  # hashing still available


def test_guessing_the_current_password_is_throttled_like_sign_in() -> None:
    user = make_user(tenant=make_tenant())
    me = session_of(user)
    for n in range(5):
        with pytest.raises(InvalidInput, match="current password"):
            self_service.change_password(
                user=me, current=f"guess-{n}", new=NEW_PASSWORD, confirm=NEW_PASSWORD
            )
    with pytest.raises(Throttled):
        self_service.change_password(
            user=me, current=PASSWORD, new=NEW_PASSWORD, confirm=NEW_PASSWORD
        )
    with pytest.raises(Throttled):
        sign_in(email=user.email, password=PASSWORD, ip="192.0.2.150")


def test_concurrent_magic_link_requests_stop_at_the_limit(monkeypatch) -> None:
    user = make_user(tenant=make_tenant())
    gate = VerifierGate(self_service._login_row, total=20)
    monkeypatch.setattr(self_service, "_login_row", gate)
    outcomes = gate.run(lambda n: _outcome(user.email))
    assert gate.entered == 5 and outcomes.count("throttled") == 15


def _outcome(email: str) -> str:
    try:
        self_service.request_magic_link(email=email, ip="192.0.2.151")
    except Throttled:
        return "throttled"
    return "sent"
