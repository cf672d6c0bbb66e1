"""Share links, client side: tokens, passcodes (right, wrong, throttled), exact view counting
under 200 concurrent openings, first-view notification, playback grants, guest comments."""

from __future__ import annotations

import threading
import time
from uuid import UUID

import psycopg
import pytest
from sqlalchemy import func, select

from portal.db import tenant_session
from portal.models import Comment, Notification, ShareLink, ShareLinkView, User
from portal.services.accounts.passwords import token_hash
from portal.services.core.errors import (
    InvalidInput,
    LinkUnavailable,
    PasscodeRequired,
    PermissionDenied,
    Throttled,
    WrongPasscode,
)
from portal.services.sharing import access
from portal.services.sharing.grants import granted_asset, make_grant, read_grant
from portal.services.sharing.guests import add_guest_comment, guest_comments
from portal.services.sharing.links import revoke_share_link
from portal.settings import get_settings
from tests.aio import run
from tests.factories import Studio, make_studio
from tests.share_support import make_link, ready_asset, shared, token_of

pytestmark = pytest.mark.usefixtures("database")


def counts(studio: Studio, link_id: str) -> tuple[int, int, str]:
    with tenant_session(studio.member_ctx) as session:
        link = session.get(ShareLink, UUID(link_id))
        views = session.scalar(
            select(func.count()).where(ShareLinkView.share_link_id == UUID(link_id))
        )
    return link.view_count, views, link.status


def wait_for_lock_waiters(conn: psycopg.Connection, count: int, timeout: float = 120) -> None:
    """Until `count` backends of this database wait on a lock (fresh statistics each time);
    fails, saying how many did, if that has not happened within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        waiting = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()[0]
        if waiting >= count:
            return
        assert time.monotonic() < deadline, f"{waiting} of {count} backends waited on the lock"
        time.sleep(0.05)  # polling the condition above, not waiting for time to pass


@pytest.mark.parametrize(
    "token",
    ["", "short", "x" * 44, "a" * 42 + "/", "../../etc/passwd" + "a" * 27, "%2e%2e" * 8, None],
)
def test_malformed_tokens_are_simply_unavailable(token) -> None:
    assert access.lookup(token) is None
    with pytest.raises(LinkUnavailable, match="This link is not available"):
        access.open_link(token=token)


def test_unknown_well_formed_token_is_unavailable() -> None:
    with pytest.raises(LinkUnavailable):
        access.open_link(token="A" * 43)


def test_open_counts_one_view_and_grants_playback_of_that_version(studio: Studio) -> None:
    s = shared(studio)
    opened = access.open_link(token=s.token, ip="10.1.1.1", user_agent="Firefox")
    assert opened.view_count == 1 and opened.asset_id == s.asset.id
    grant = read_grant(opened.grant)
    assert grant.link_id == UUID(s.link.id) and grant.asset_id == s.asset.id
    assert counts(studio, s.link.id) == (1, 1, "active")
    assert opened.grant not in repr(opened)


def test_owner_is_notified_of_the_first_view_only(studio: Studio) -> None:
    s = shared(studio)
    for _ in range(3):
        access.open_link(token=s.token)
    with tenant_session(studio.member_ctx) as session:
        notes = session.scalars(
            select(Notification).where(
                Notification.user_id == studio.member.id, Notification.type == "share_viewed"
            )
        ).all()
    assert len(notes) == 1 and notes[0].payload["share_link_id"] == s.link.id
    assert s.token not in str(notes[0].payload)


def test_passcode_missing_wrong_then_right(studio: Studio) -> None:
    s = shared(studio, passcode="tangerine")
    with pytest.raises(PasscodeRequired, match="Enter the passcode"):
        access.open_link(token=s.token)
    with pytest.raises(WrongPasscode, match="not right"):
        access.open_link(token=s.token, passcode="Tangerine", ip="10.2.0.1")
    with pytest.raises(WrongPasscode):
        access.open_link(token=s.token, passcode="x" * 100_000, ip="10.2.0.1")
    assert counts(studio, s.link.id)[:2] == (0, 0)
    assert access.open_link(token=s.token, passcode="tangerine").view_count == 1


def test_passcode_throttled_per_link_at_its_own_higher_limit(studio: Studio, monkeypatch) -> None:
    monkeypatch.setenv("SHARE_PASSCODE_MAX_PER_LINK", "7")
    get_settings.cache_clear()
    s = shared(studio, passcode="tangerine")
    try:
        for attempt in range(7):
            with pytest.raises(WrongPasscode):
                access.open_link(token=s.token, passcode=f"guess-{attempt}", ip=f"10.3.0.{attempt}")
        with pytest.raises(Throttled, match="wait 15 minutes"):
            access.open_link(token=s.token, passcode="tangerine", ip="10.3.1.1")
    finally:
        get_settings.cache_clear()
    assert counts(studio, s.link.id)[0] == 0


def test_five_wrong_passcodes_lock_out_their_address_only(studio: Studio) -> None:
    s = shared(studio, passcode="tangerine")
    for attempt in range(5):
        with pytest.raises(WrongPasscode):
            access.open_link(token=s.token, passcode=f"guess-{attempt}", ip="10.3.2.1")
    assert access.open_link(token=s.token, passcode="tangerine", ip="10.3.2.2")
    with pytest.raises(Throttled):
        access.open_link(token=s.token, passcode="tangerine", ip="10.3.2.1")


def test_passcode_throttled_per_address_across_links(studio: Studio) -> None:
    asset = ready_asset(studio)
    links = [make_link(studio, asset, passcode="tangerine") for _ in range(3)]
    for attempt in range(5):
        with pytest.raises(WrongPasscode):
            access.open_link(token=token_of(links[attempt % 2]), passcode="nope", ip="10.4.0.9")
    with pytest.raises(Throttled):
        access.open_link(token=token_of(links[2]), passcode="tangerine", ip="10.4.0.9")
    assert access.open_link(token=token_of(links[2]), passcode="tangerine", ip="10.4.0.8")


def test_view_limit_is_exact_under_200_concurrent_openings(studio: Studio, superuser_conn) -> None:
    s = shared(studio, view_limit=37)
    results: list[str] = []
    barrier = threading.Barrier(200)

    def opener(n: int) -> None:
        barrier.wait()
        try:
            access.open_link(token=s.token, ip=f"10.9.{n // 250}.{n % 250}")
            results.append("opened")
        except LinkUnavailable:
            results.append("refused")

    # Hold the row so every opening queues on it, then let them all go at once.
    with superuser_conn.transaction():
        superuser_conn.execute("SELECT 1 FROM share_links WHERE id = %s FOR UPDATE", (s.link.id,))
        threads = [threading.Thread(target=opener, args=(n,)) for n in range(200)]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(superuser_conn, 10)  # every pooled connection is queued
    for thread in threads:
        thread.join()
    assert results.count("opened") == 37 and results.count("refused") == 163
    assert counts(studio, s.link.id) == (37, 37, "exhausted")


def test_view_limit_is_exact_on_many_raw_connections(
    studio: Studio, database, superuser_conn
) -> None:
    """The same single statement from 60 separate runtime-role connections at once."""
    from portal.db import app_url, libpq_conninfo

    s = shared(studio, view_limit=11)
    hashed = token_hash(s.token)
    conninfo = libpq_conninfo(app_url())
    opened: list[int] = []
    with superuser_conn.transaction():
        superuser_conn.execute("SELECT 1 FROM share_links WHERE id = %s FOR UPDATE", (s.link.id,))
        conns = [psycopg.connect(conninfo, autocommit=True) for _ in range(60)]

        def run(conn: psycopg.Connection) -> None:
            viewer = f"{id(conn):064x}"
            row = conn.execute(
                "SELECT view_count FROM share_link_open(%s, %s, false)", (hashed, viewer)
            ).fetchone()
            if row:
                opened.append(row[0])

        threads = [threading.Thread(target=run, args=(c,)) for c in conns]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(superuser_conn, 60)
    for thread in threads:
        thread.join()
    for conn in conns:
        conn.close()
    assert sorted(opened) == list(range(1, 12))
    assert counts(studio, s.link.id) == (11, 11, "exhausted")


def test_async_opens_from_many_event_loops_do_not_keep_connections(
    studio: Studio, superuser_conn
) -> None:
    """Each loop gets its own async pool; once a loop has closed its connections are ended (a
    server has one loop per worker, but tests and TestClient start one per run)."""
    s = shared(studio)

    def app_connections() -> int:
        superuser_conn.execute("SELECT pg_stat_clear_snapshot()")
        return superuser_conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND usename = 'portal_app'"
        ).fetchone()[0]

    async def open_once() -> int:
        opened, _ = await access.open_without_passcode(
            token=s.token, ip="10.4.4.4", user_agent="test"
        )
        return opened.view_count

    run(open_once())
    before = app_connections()
    counts = [run(open_once()) for _ in range(12)]
    assert counts == list(range(2, 14))
    assert app_connections() <= before + 1


def test_revoking_stops_playback_and_grants_cannot_be_forged(studio: Studio) -> None:
    s = shared(studio)
    opened = access.open_link(token=s.token)
    asset, link = granted_asset(opened.grant)
    assert asset.id == s.asset.id and link.id == UUID(s.link.id)
    other = ready_asset(studio, title="Secret cut", version=2)
    forged = make_grant(link_id=link.id, tenant_id=asset.tenant_id, asset_id=other.id)
    assert granted_asset(forged) is None  # a grant for another version of the link: refused
    body, signature = opened.grant.split(".")
    assert read_grant(body[:-2] + "AA." + signature) is None
    assert read_grant(opened.grant, now=read_grant(opened.grant).expires) is None
    assert read_grant("../../etc") is None and read_grant("x" * 500) is None
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    assert granted_asset(opened.grant) is None


def test_exhausted_link_still_plays_for_the_viewer_who_opened_it(studio: Studio) -> None:
    s = shared(studio, view_limit=1)
    opened = access.open_link(token=s.token)
    with pytest.raises(LinkUnavailable):
        access.open_link(token=s.token)
    assert granted_asset(opened.grant) is not None


def test_guest_comments_are_stored_as_a_guest_user_and_scrubbed(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    info = access.lookup(s.token)
    name = "<script>alert(1)</script> Cleo"
    add_guest_comment(
        info=info, name=name, email="Cleo@Client.test", body="Call 0412 345 678", timecode="2.5"
    )
    add_guest_comment(info=info, name="Cleo P", email="cleo@client.test", body="More", timecode=1)
    with tenant_session(studio.member_ctx) as session:
        guests = session.scalars(
            select(User).where(User.tenant_id == studio.agency.id, User.role == "guest")
        ).all()
        team = Comment(
            tenant_id=studio.agency.id,
            parent_type="asset",
            parent_id=s.asset.id,
            author_id=studio.member.id,
            body="internal note",
        )
        session.add(team)
    assert [(g.email, g.name, g.password_hash) for g in guests] == [
        ("Cleo@Client.test", "Cleo P", None)
    ]
    shown = guest_comments(info=info)
    assert [c.body for c in shown] == ["More", "Call [phone removed]"]
    assert shown[1].timecode == "00:00:02:12" and shown[0].author_name == "Cleo P"
    assert "internal note" not in {c.body for c in shown}


@pytest.mark.parametrize(
    ("name", "email", "body", "message"),
    [
        ("", "a@b.test", "hi", "Your name is required"),
        ("Cleo", "", "hi", "Your email is required"),
        ("Cleo", "not-an-email", "hi", "valid email"),
        ("x" * 101, "a@b.test", "hi", "at most 100"),
        ("Cleo", "a@b.test", "", "Comment is required"),
        ("Cleo", "a@b.test", "x" * 10_001, "at most 10000"),
    ],
)
def test_guest_comment_bad_input(studio: Studio, name, email, body, message) -> None:
    s = shared(studio, allow_comments=True)
    with pytest.raises(InvalidInput, match=message):
        add_guest_comment(
            info=access.lookup(s.token), name=name, email=email, body=body, timecode=0
        )
    assert guest_comments(info=access.lookup(s.token)) == []


def test_guest_comments_refused_when_not_allowed_or_revoked_or_a_portal_email(
    studio: Studio,
) -> None:
    closed = shared(studio)
    with pytest.raises(PermissionDenied, match="not open"):
        add_guest_comment(
            info=access.lookup(closed.token), name="C", email="c@c.test", body="x", timecode=0
        )
    s = shared(make_studio(), allow_comments=True)
    with pytest.raises(InvalidInput, match="belongs to a portal account"):
        add_guest_comment(
            info=access.lookup(s.token),
            name="Sam",
            email=s.studio.member.email,
            body="x",
            timecode=0,
        )
    with tenant_session(s.studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    with pytest.raises(PermissionDenied):
        add_guest_comment(
            info=access.lookup(s.token), name="C", email="c@c.test", body="x", timecode=0
        )
