"""The per-event session check (issue 18): one statement per event, never late, last_seen at
most once a minute. Two SessionCache instances stand for two workers (or hosts)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
import pytest
from sqlalchemy import event, select, text, update

from portal.db import app_engine, app_url, libpq_conninfo, owner_session, tenant_session
from portal.models import Tenant, User, UserSession
from portal.services.accounts.auth import sign_in, sign_out
from portal.services.accounts.self_service import revoke_session
from portal.services.accounts.session_check import TOUCH_SECONDS, SessionCache
from portal.services.accounts.users import change_role, set_active
from portal.services.core.branding import DEFAULT_ACCENT
from tests.factories import PASSWORD, ctx, make_studio, make_tenant, make_user, session_of

pytestmark = pytest.mark.usefixtures("database")


@dataclass
class FakeClock:
    """Seconds that move only when a test says so."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Counted:
    """Real autocommit connections as the runtime role that count every statement sent."""

    statements: list[str] = field(default_factory=list)

    @contextmanager
    def __call__(self) -> Iterator[psycopg.Connection]:
        counted = self.statements

        class Cursor(psycopg.Cursor):
            def execute(self, query, params=None, **kwargs):
                counted.append(str(query))
                return super().execute(query, params, **kwargs)

        with psycopg.Connection.connect(
            libpq_conninfo(app_url()), autocommit=True, cursor_factory=Cursor
        ) as conn:
            yield conn


@contextmanager
def orm_statements() -> Iterator[list[str]]:
    """Every statement the app's SQLAlchemy engine sends meanwhile."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    engine = app_engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def worker(clock: FakeClock | None = None) -> tuple[SessionCache, Counted]:
    counted = Counted()
    return SessionCache(clock=clock or FakeClock(), connect=counted), counted


def token_of(user: User) -> str:
    return sign_in(email=user.email, password=PASSWORD).token


def last_seen(user: User) -> datetime:
    with tenant_session(ctx_of(user)) as session:
        return session.scalar(
            select(UserSession.last_seen_at).where(UserSession.user_id == user.id)
        )


def ctx_of(user: User):
    return ctx(Tenant(id=user.tenant_id, name="", type="agency"), user)


def age_last_seen(user: User, seconds: int) -> None:
    """The database's side of time passing: the stored last_seen_at moves back."""
    with tenant_session(ctx_of(user)) as session:
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id)
            .values(last_seen_at=text(f"now() - interval '{seconds} seconds'"))
        )


def test_a_warm_session_costs_one_statement_per_event_and_no_other() -> None:
    user = make_user(tenant=make_tenant())
    token = token_of(user)
    cache, counted = worker()
    with orm_statements() as orm:
        first = cache.check(token)
        for _ in range(5):
            again = cache.check(token)
            assert again is not None and again.user == first.user
    assert first is not None and first.user.user_id == user.id
    assert len(counted.statements) == 6 and all(
        "auth_session_check" in s for s in counted.statements
    )
    assert orm == []  # no lookup transaction, no last_seen transaction, no branding queries


def test_unknown_or_oversized_tokens_cost_nothing_or_one_statement() -> None:
    cache, counted = worker()
    assert cache.check(None) is None and cache.check("x" * 201) is None
    assert counted.statements == []
    assert cache.check("not-a-session") is None
    assert len(counted.statements) == 1 and len(cache) == 0


def test_sign_out_revoke_deactivate_and_role_change_show_on_the_next_event_everywhere() -> None:
    s = make_studio()
    admin = session_of(s.admin)
    one, two = worker(), worker()  # two workers, both warm for the member's sessions
    tab, other_tab, third_tab = token_of(s.member), token_of(s.member), token_of(s.member)
    for cache, _ in (one, two):
        for token in (tab, other_tab, third_tab):
            checked = cache.check(token)
            assert checked is not None and checked.user.role == "agency"

    change_role(user=admin, user_id=str(s.member.id), role="admin")
    for cache, _ in (one, two):
        assert cache.check(tab).user.role == "admin"

    sign_out(token=tab)
    assert one[0].check(tab) is None and two[0].check(tab) is None

    member = one[0].check(other_tab)
    assert member is not None
    revoke_session(user=member.user, session_id=str(one[0].check(third_tab).user.session_id))
    assert one[0].check(third_tab) is None and two[0].check(third_tab) is None
    assert two[0].check(other_tab) is not None

    set_active(user=admin, user_id=str(s.member.id), active=False)
    assert one[0].check(other_tab) is None and two[0].check(other_tab) is None
    assert len(one[0]) == 0 and len(two[0]) == 0  # ended sessions leave nothing behind


def test_a_deactivated_tenant_ends_its_sessions_on_the_next_event() -> None:
    tenant = make_tenant()
    token = token_of(make_user(tenant=tenant))
    cache, _ = worker()
    assert cache.check(token) is not None
    with owner_session() as session:  # the studio's tenant editor, in short
        session.execute(update(Tenant).where(Tenant.id == tenant.id).values(status="inactive"))
    assert cache.check(token) is None


def test_last_seen_is_written_at_most_once_a_minute() -> None:
    user = make_user(tenant=make_tenant())
    token = token_of(user)
    clock = FakeClock()
    cache, counted = worker(clock)
    age_last_seen(user, 120)  # two minutes since the last event
    before = last_seen(user)
    assert cache.check(token) is not None  # first event here: asks for the touch
    written = last_seen(user)
    assert written > before

    age_last_seen(user, 120)  # the stored value is old again, but this process wrote 30 s ago
    aged = last_seen(user)
    clock.now += 30
    assert cache.check(token) is not None
    assert last_seen(user) == aged

    clock.now += TOUCH_SECONDS - 30  # a minute after the last write: written again
    assert cache.check(token) is not None
    assert last_seen(user) > aged
    assert len(counted.statements) == 3  # the touch rides in the same one statement


def test_another_worker_does_not_write_last_seen_again_within_the_minute() -> None:
    user = make_user(tenant=make_tenant())
    token = token_of(user)
    one, _ = worker()
    two, _ = worker()
    age_last_seen(user, 120)
    assert one.check(token) is not None
    written = last_seen(user)
    assert two.check(token) is not None  # a cold worker asks too; the database declines
    assert last_seen(user) == written


def test_idle_session_ends_even_when_this_process_saw_it() -> None:
    user = make_user(tenant=make_tenant())
    token = token_of(user)
    cache, _ = worker()
    assert cache.check(token) is not None
    age_last_seen(user, 10 * 24 * 3600)
    assert cache.check(token) is None


def test_branding_rides_with_the_session_and_follows_a_change() -> None:
    tenant = make_tenant()
    token = token_of(make_user(tenant=tenant))
    cache, counted = worker()
    checked = cache.check(token)
    assert checked is not None
    assert checked.branding.accent_color == DEFAULT_ACCENT and checked.branding.logo_url == ""
    with owner_session() as session:
        session.execute(
            update(Tenant)
            .where(Tenant.id == tenant.id)
            .values(branding={"accent_color": "#112233"})
        )
    after = cache.check(token)
    assert after is not None and after.branding.accent_color == "#112233"
    assert len(counted.statements) == 2
