"""Client decisions through share links (portal/services/sharing/decisions.py): recorded per
press, per version and per link; latest counts, history kept; one row per press under
concurrency; refused on links that are not live; the owner notified; audited; isolated by RLS."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import ProgrammingError

from portal.db import TenantContext, tenant_session
from portal.models import AuditLog, Notification, ShareDecision, ShareLink, User
from portal.services.core.errors import (
    InvalidInput,
    LinkUnavailable,
    PermissionDenied,
    Throttled,
)
from portal.services.sharing import access, decisions
from portal.services.sharing.decisions import client_decisions, my_decision, record_decision
from portal.services.sharing.links import revoke_share_link, set_link_options
from tests.factories import Studio, make_studio
from tests.share_support import shared

pytestmark = pytest.mark.usefixtures("database")


def press(token: str, decision: str = "approved", note: str = "", **kw):  # type: ignore[no-untyped-def]
    values = {"name": "Jane Client", "email": "jane@client.test", "request_key": uuid.uuid4()}
    values.update(kw)
    return record_decision(info=access.lookup(token), decision=decision, note=note, **values)


def rows(studio: Studio) -> list[ShareDecision]:
    with tenant_session(studio.member_ctx) as session:
        return list(session.scalars(select(ShareDecision).order_by(ShareDecision.created_at)))


def test_client_approves_and_the_owner_sees_it_is_notified_and_audited(studio: Studio) -> None:
    s = shared(studio, ask_decision=True, name="For legal")
    done = press(s.token, note="Lovely. Call 0412 345 678")
    assert done.new
    with tenant_session(studio.member_ctx) as session:
        shown = client_decisions(session=session, asset_id=s.asset.id)
        notes = session.scalars(
            select(Notification).where(Notification.type == "client_decision")
        ).all()
        audit = session.scalars(
            select(AuditLog).where(
                AuditLog.entity_type == "share_decisions", AuditLog.entity_id == done.decision.id
            )
        ).all()
        asset_status = session.scalar(
            text("SELECT review_status FROM assets WHERE id = :i"), {"i": s.asset.id}
        )
    assert [(d.summary, d.link_name, d.note, d.latest) for d in shown] == [
        ("Approved by Jane Client", "For legal", "Lovely. Call [phone removed]", True)
    ]
    # The studio's own approval is a separate thing: untouched.
    assert asset_status == "in_review"
    assert [n.user_id for n in notes] == [studio.member.id]
    assert notes[0].payload["actor_id"] == str(done.decision.guest_id)
    assert "Jane" not in str(notes[0].payload)  # named at read time, never copied
    assert [a.action for a in audit] == ["insert"]
    assert audit[0].after["decision"] == "approved" and "request_key" not in audit[0].after
    info = access.lookup(s.token)
    assert my_decision(info=info, email="JANE@client.test").summary == "Approved by Jane Client"
    assert my_decision(info=info, email="other@client.test") is None


def test_a_change_of_mind_counts_and_the_history_stays(studio: Studio) -> None:
    s = shared(studio, ask_decision=True)
    press(s.token)
    press(s.token, "changes_requested", "Shorter end card")
    press(s.token, name="Bob", email="bob@client.test")
    with tenant_session(studio.member_ctx) as session:
        shown = client_decisions(session=session, asset_id=s.asset.id)
    assert [(d.summary, d.latest) for d in shown] == [
        ("Approved by Bob", True),
        ("Changes requested by Jane Client", True),
        ("Approved by Jane Client", False),
    ]
    assert len(rows(studio)) == 3


def test_the_same_press_twice_is_one_row_and_one_notification(studio: Studio) -> None:
    s = shared(studio, ask_decision=True)
    key = uuid.uuid4()
    first = press(s.token, request_key=key)
    again = press(s.token, request_key=key)
    assert first.new and not again.new and again.decision.id == first.decision.id
    assert len(rows(studio)) == 1


def test_a_double_press_under_concurrency_writes_one_row(studio: Studio) -> None:
    """20 presses with one key at once (a double click, replayed events): one row, one
    notification; every press answers with that row."""
    s = shared(studio, ask_decision=True)
    key, count = uuid.uuid4(), 20
    barrier = threading.Barrier(count)
    results: list[object] = []

    def go() -> None:
        barrier.wait()
        try:
            results.append(press(s.token, request_key=key, email="new.client@client.test"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, decisions.Recorded) for r in results), results
    assert sum(r.new for r in results) == 1  # type: ignore[attr-defined]
    assert len({r.decision.id for r in results}) == 1  # type: ignore[attr-defined]
    assert len(rows(studio)) == 1
    with tenant_session(studio.member_ctx) as session:
        notes = session.scalar(select(func.count()).where(Notification.type == "client_decision"))
        guests = session.scalar(select(func.count()).where(User.email == "new.client@client.test"))
    assert notes == 1 and guests == 1


@pytest.mark.parametrize(
    ("decision", "note", "name", "email", "message"),
    [
        ("changes_requested", "", "Jane", "j@c.test", "The note is required"),
        ("changes_requested", "   ", "Jane", "j@c.test", "The note is required"),
        ("maybe", "", "Jane", "j@c.test", "Choose Approve or Request changes"),
        ("", "", "Jane", "j@c.test", "Choose Approve or Request changes"),
        ("approved", "x" * 2001, "Jane", "j@c.test", "at most 2000"),
        ("approved", "bad\x00", "Jane", "j@c.test", "not allowed"),
        ("approved", "", "", "j@c.test", "Your name is required"),
        ("approved", "", "Jane", "nope", "valid email"),
    ],
)
def test_bad_input_is_a_clear_message_and_writes_nothing(
    studio: Studio, decision, note, name, email, message
) -> None:
    s = shared(studio, ask_decision=True)
    with pytest.raises(InvalidInput, match=message):
        press(s.token, decision, note, name=name, email=email)
    assert rows(studio) == []


def test_a_members_address_is_refused(studio: Studio) -> None:
    s = shared(studio, ask_decision=True)
    with pytest.raises(InvalidInput, match="belongs to a portal account"):
        press(s.token, email=studio.member.email)
    assert rows(studio) == []


def test_refused_unless_asked_and_live(studio: Studio, superuser_conn) -> None:
    not_asked = shared(studio)
    with pytest.raises(PermissionDenied, match="does not ask"):
        press(not_asked.token)
    s = shared(studio, ask_decision=True, view_limit=1)
    info = access.lookup(s.token)
    access.open_link(token=s.token)  # the only view: exhausted
    with pytest.raises(LinkUnavailable):
        press(s.token)
    with pytest.raises(LinkUnavailable):  # even holding the lookup from before
        record_decision(
            info=info,
            name="J",
            email="j@c.test",
            decision="approved",
            note="",
            request_key=uuid.uuid4(),
        )
    expired = shared(studio, ask_decision=True)
    superuser_conn.execute("ALTER TABLE share_links DISABLE TRIGGER share_links_status")
    try:
        superuser_conn.execute(
            "UPDATE share_links SET expires_at = now() - interval '1 minute' WHERE id = %s",
            (expired.link.id,),
        )
    finally:
        superuser_conn.execute("ALTER TABLE share_links ENABLE TRIGGER share_links_status")
    with pytest.raises(LinkUnavailable):
        press(expired.token)
    revoked = shared(studio, ask_decision=True)
    live_info = access.lookup(revoked.token)
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=revoked.link.id)
    with pytest.raises(LinkUnavailable):  # revoked after the page looked it up
        record_decision(
            info=live_info,
            name="J",
            email="j@c.test",
            decision="approved",
            note="",
            request_key=uuid.uuid4(),
        )
    assert rows(studio) == []


def test_the_owner_can_switch_the_question_on_later(studio: Studio) -> None:
    s = shared(studio)
    with tenant_session(studio.member_ctx) as session:
        set_link_options(
            session=session,
            link_id=s.link.id,
            allow_comments=False,
            allow_download=False,
            watermark=False,
            ask_decision=True,
        )
    assert press(s.token).new


def test_presses_are_throttled_per_address(studio: Studio, monkeypatch) -> None:
    monkeypatch.setattr(decisions, "PER_ADDRESS", 2)
    s = shared(studio, ask_decision=True)
    press(s.token, ip="203.0.113.7")
    press(s.token, ip="203.0.113.7")
    with pytest.raises(Throttled):
        press(s.token, ip="203.0.113.7")
    press(s.token, ip="203.0.113.8")
    assert len(rows(studio)) == 3


def test_another_tenant_sees_none_of_the_decisions(studio: Studio) -> None:
    s = shared(studio, ask_decision=True)
    done = press(s.token)
    other = make_studio()
    with tenant_session(other.member_ctx) as session:
        assert session.scalars(select(ShareDecision)).all() == []
        assert client_decisions(session=session, asset_id=s.asset.id) == []
    with tenant_session(None) as session:
        assert session.scalar(text("SELECT count(*) FROM share_decisions")) == 0
    # The studio managing the agency sees them (admin scope), another studio's admin does not.
    with tenant_session(studio.admin_ctx) as session:
        assert [d.id for d in client_decisions(session=session, asset_id=s.asset.id)] == [
            str(done.decision.id)
        ]
    with tenant_session(other.admin_ctx) as session:
        assert client_decisions(session=session, asset_id=s.asset.id) == []


def test_runtime_role_cannot_rewrite_or_plant_decisions(studio: Studio) -> None:
    """History is append-only for the app: no UPDATE or DELETE grant; no row into another
    tenant (RLS WITH CHECK)."""
    s = shared(studio, ask_decision=True)
    done = press(s.token)
    with pytest.raises(ProgrammingError, match="permission denied") as refused:
        with tenant_session(studio.member_ctx) as session:
            session.execute(
                update(ShareDecision)
                .where(ShareDecision.id == done.decision.id)
                .values(decision="changes_requested")
            )
    assert isinstance(refused.value.orig, psycopg.errors.InsufficientPrivilege)
    with pytest.raises(ProgrammingError, match="permission denied"):
        with tenant_session(studio.member_ctx) as session:
            session.execute(text("DELETE FROM share_decisions"))
    other = make_studio()
    with pytest.raises(ProgrammingError, match="row-level security"):
        with tenant_session(TenantContext(tenant_id=other.agency.id)) as session:
            session.execute(
                text(
                    "INSERT INTO share_decisions (tenant_id, share_link_id, asset_id, name,"
                    " email, decision, request_key) VALUES (:t, :l, :a, 'x', 'x@y.z',"
                    " 'approved', gen_random_uuid())"
                ),
                {"t": studio.agency.id, "l": s.link.id, "a": s.asset.id},
            )
    assert [r.decision for r in rows(studio)] == ["approved"]


def test_table_has_rls_forced(owner_conn) -> None:
    forced = owner_conn.execute(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'share_decisions'"
    ).fetchone()
    assert forced == (True, True)


def test_deleting_a_link_or_a_guest_keeps_the_rules(studio: Studio) -> None:
    """A removed guest leaves the decision (its name as given); a deleted link takes its
    decisions with it (the audit log keeps them)."""
    s = shared(studio, ask_decision=True)
    done = press(s.token)
    with tenant_session(studio.member_ctx) as session:
        session.execute(text("DELETE FROM users WHERE id = :i"), {"i": done.decision.guest_id})
    kept = rows(studio)
    assert [(r.guest_id, r.name) for r in kept] == [(None, "Jane Client")]
    with tenant_session(studio.member_ctx) as session:
        session.execute(text("DELETE FROM share_links WHERE id = :i"), {"i": s.link.id})
        assert session.get(ShareLink, uuid.UUID(s.link.id)) is None
    assert rows(studio) == []
