"""Personal access tokens (migration 0021, services/accounts/api_tokens.py): shown once and
stored hashed, scopes, expiry, revocation, last use at most once a minute, the rate window under
concurrency, RLS and the audit log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlmodel import select

from portal.db import owner_session, tenant_session
from portal.models import ApiToken, AuditLog
from portal.services.accounts import api_tokens
from portal.services.accounts.passwords import token_hash
from portal.services.core.errors import InvalidInput, NotFound, PermissionDenied
from tests.factories import Studio, ctx, make_tenant, make_user, session_of

pytestmark = pytest.mark.usefixtures("database")
LIMIT = 1000


def test_a_token_is_shown_once_stored_hashed_and_authenticates(studio: Studio) -> None:
    member = session_of(studio.member)
    new = api_tokens.create_token(
        user=member, name="Edit suite", scopes=["projects:read", "reviews:write"], expires_days=30
    )
    assert new.token.startswith("mmp_") and len(new.token) > 40
    with tenant_session(member.context) as session:
        row = session.get(ApiToken, api_tokens.UUID(new.id))
        assert row is not None
        assert row.token_hash == token_hash(new.token) and new.token not in row.prefix + "x"
        assert row.expires_at is not None and row.expires_at > datetime.now(UTC) + timedelta(29)
    principal = api_tokens.check_token(new.token, limit=LIMIT)
    assert principal is not None
    assert principal.user.user_id == studio.member.id
    assert principal.user.tenant_id == studio.agency.id
    assert principal.allows("projects", write=False)
    assert not principal.allows("projects", write=True)
    assert principal.allows("reviews", write=False) and principal.allows("reviews", write=True)
    assert not principal.allows("admin", write=False)
    views = api_tokens.list_tokens(user=member)
    assert [v.name for v in views] == ["Edit suite"]
    assert new.token not in repr(views)


def test_bad_input_is_a_clear_message(studio: Studio) -> None:
    member = session_of(studio.member)
    with pytest.raises(InvalidInput, match="Name is required"):
        api_tokens.create_token(user=member, name=" ", scopes=["projects:read"])
    with pytest.raises(InvalidInput, match="at least one"):
        api_tokens.create_token(user=member, name="x", scopes=[])
    with pytest.raises(InvalidInput, match="Unknown scope"):
        api_tokens.create_token(user=member, name="x", scopes=["root:write"])
    with pytest.raises(InvalidInput, match="1 to 365"):
        api_tokens.create_token(user=member, name="x", scopes=["projects:read"], expires_days=0)
    with pytest.raises(InvalidInput, match="not allowed"):
        api_tokens.create_token(user=member, name="a\x00b", scopes=["projects:read"])
    with pytest.raises(InvalidInput):
        api_tokens.scopes_from_form({"scope_projects": "admin"})
    assert api_tokens.list_tokens(user=member) == []


def test_unknown_malformed_revoked_and_expired_tokens_fail(studio: Studio) -> None:
    member = session_of(studio.member)
    assert api_tokens.check_token(None, limit=LIMIT) is None
    assert api_tokens.check_token("mmp_" + "x" * 43, limit=LIMIT) is None
    assert api_tokens.check_token("not-ours", limit=LIMIT) is None
    new = api_tokens.create_token(user=member, name="old", scopes=["projects:read"])
    with tenant_session(member.context) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == api_tokens.UUID(new.id))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert api_tokens.check_token(new.token, limit=LIMIT) is None
    assert [v.status for v in api_tokens.list_tokens(user=member)] == ["expired"]
    live = api_tokens.create_token(user=member, name="live", scopes=["projects:read"])
    assert api_tokens.check_token(live.token, limit=LIMIT) is not None
    api_tokens.revoke_token(user=member, token_id=live.id)
    assert api_tokens.check_token(live.token, limit=LIMIT) is None
    with pytest.raises(NotFound):
        api_tokens.revoke_token(user=member, token_id=live.id)


def test_a_deactivated_user_or_tenant_stops_the_token(studio: Studio) -> None:
    user = make_user(tenant=studio.agency)
    new = api_tokens.create_token(user=session_of(user), name="t", scopes=["projects:read"])
    with tenant_session(ctx(studio.agency)) as session:
        session.execute(
            text("UPDATE users SET status = 'deactivated' WHERE id = :id"), {"id": user.id}
        )
    assert api_tokens.check_token(new.token, limit=LIMIT) is None


def test_members_manage_their_own_tokens_and_admins_their_tenants(studio: Studio) -> None:
    member = session_of(studio.member)
    other = session_of(make_user(tenant=studio.agency))
    agency_admin = session_of(make_user(tenant=studio.agency, role="admin"))
    mine = api_tokens.create_token(user=member, name="mine", scopes=["projects:read"])
    theirs = api_tokens.create_token(user=other, name="theirs", scopes=["projects:read"])
    assert [v.name for v in api_tokens.list_tokens(user=member)] == ["mine"]
    with pytest.raises(NotFound):
        api_tokens.revoke_token(user=member, token_id=theirs.id)
    assert api_tokens.check_token(theirs.token, limit=LIMIT) is not None
    assert {v.name for v in api_tokens.list_tokens(user=agency_admin)} == {"mine", "theirs"}
    api_tokens.revoke_token(user=agency_admin, token_id=mine.id)
    assert api_tokens.check_token(mine.token, limit=LIMIT) is None
    # Another tenant's admin sees none of them and cannot revoke them (RLS).
    stranger = make_tenant()
    stranger_admin = session_of(make_user(tenant=stranger, role="admin"))
    assert api_tokens.list_tokens(user=stranger_admin) == []
    with pytest.raises(NotFound):
        api_tokens.revoke_token(user=stranger_admin, token_id=theirs.id)
    assert api_tokens.check_token(theirs.token, limit=LIMIT) is not None


def test_rows_are_tenant_isolated_by_rls(studio: Studio) -> None:
    new = api_tokens.create_token(
        user=session_of(studio.member), name="t", scopes=["projects:read"]
    )
    other = make_tenant()
    with tenant_session(ctx(other)) as session:
        assert session.exec(select(ApiToken)).all() == []
        done = session.execute(update(ApiToken).values(name="stolen"))
        assert done.rowcount == 0  # type: ignore[attr-defined]
    with tenant_session(None) as session:
        assert session.exec(select(ApiToken)).all() == []
    assert api_tokens.check_token(new.token, limit=LIMIT) is not None


def test_creation_and_revocation_are_audited_without_the_hash(studio: Studio) -> None:
    member = session_of(studio.member)
    new = api_tokens.create_token(user=member, name="audited", scopes=["sharing:write"])
    for _ in range(3):
        api_tokens.check_token(new.token, limit=LIMIT)
    api_tokens.revoke_token(user=member, token_id=new.id)
    with tenant_session(ctx(studio.agency)) as session:
        rows = session.exec(
            select(AuditLog)
            .where(AuditLog.entity_type == "api_tokens")
            .where(AuditLog.entity_id == api_tokens.UUID(new.id))
            .order_by(AuditLog.created_at)
        ).all()
    assert [r.action for r in rows] == ["insert", "update"]  # last use is not a change
    assert all(r.actor_id == studio.member.id for r in rows)
    assert all("token_hash" not in (r.after or {}) for r in rows)
    assert rows[1].after is not None and rows[1].after["revoked_at"]


def test_last_used_moves_at_most_once_a_minute(studio: Studio) -> None:
    new = api_tokens.create_token(
        user=session_of(studio.member), name="t", scopes=["projects:read"]
    )
    api_tokens.check_token(new.token, limit=LIMIT)
    with tenant_session(ctx(studio.agency)) as session:
        first = session.get(ApiToken, api_tokens.UUID(new.id))
        assert first is not None and first.last_used_at is not None
        used = first.last_used_at
    api_tokens.check_token(new.token, limit=LIMIT)
    with tenant_session(ctx(studio.agency)) as session:
        assert session.get(ApiToken, api_tokens.UUID(new.id)).last_used_at == used  # type: ignore[union-attr]
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == api_tokens.UUID(new.id))
            .values(last_used_at=used - timedelta(minutes=2))
        )
    api_tokens.check_token(new.token, limit=LIMIT)
    with tenant_session(ctx(studio.agency)) as session:
        assert session.get(ApiToken, api_tokens.UUID(new.id)).last_used_at > used  # type: ignore[union-attr,operator]


def test_the_rate_window_counts_every_concurrent_call_exactly(studio: Studio) -> None:
    new = api_tokens.create_token(
        user=session_of(studio.member), name="t", scopes=["projects:read"]
    )
    with owner_session() as session:  # start the window well away from a minute boundary
        session.execute(text("SELECT 1"))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: api_tokens.check_token(new.token, limit=25), range(40)))
    assert all(r is not None for r in results)
    calls = sorted(r.calls for r in results if r is not None)
    limited = [r for r in results if r is not None and r.retry_after > 0]
    # One window (or two when the minute turned mid-run): counts are exact, never lost.
    if calls == list(range(1, 41)):
        assert len(limited) == 15
        assert all(1 <= r.retry_after <= 60 for r in limited)
    else:
        assert len(calls) == 40 and len(set(calls)) < 40


def test_guests_cannot_create_tokens(studio: Studio) -> None:
    guest = session_of(studio.member)
    guest = type(guest)(**{**guest.__dict__, "role": "guest"})
    with pytest.raises(PermissionDenied):
        api_tokens.create_token(user=guest, name="g", scopes=["projects:read"])
