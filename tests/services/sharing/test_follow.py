"""New versions and share links (portal/services/sharing/follow.py): "always latest" links move
to a newer ready version, pinned links stay; clients of links that say so are emailed once per
version through the outbox, with an unsubscribe link that works; contacts are isolated by RLS."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from portal.db import tenant_session
from portal.models import OutboxEmail, ShareDecision, ShareLink, ShareLinkContact
from portal.services.accounts import users
from portal.services.core.errors import InvalidUnsubscribe
from portal.services.notifications.events import on_asset_status
from portal.services.sharing import access, follow
from portal.services.sharing.decisions import record_decision
from portal.services.sharing.grants import granted_asset
from portal.services.sharing.guests import add_guest_comment
from portal.services.sharing.links import revoke_share_link
from tests.factories import Studio, make_studio, session_of
from tests.share_support import make_link, ready_asset, token_of, write_media

pytestmark = pytest.mark.usefixtures("database")


def link_asset(studio: Studio, link_id: str) -> uuid.UUID:
    with tenant_session(studio.member_ctx) as session:
        return session.get(ShareLink, uuid.UUID(link_id)).asset_id


def emails_to(*addresses: str) -> list[OutboxEmail]:
    with tenant_session(None) as session:
        return list(
            session.scalars(
                select(OutboxEmail)
                .where(OutboxEmail.to_address.in_(addresses))
                .order_by(OutboxEmail.created_at)
            )
        )


def test_always_latest_moves_to_the_new_version_and_a_pinned_link_stays(studio: Studio) -> None:
    v1 = ready_asset(studio, title="Hero film")
    write_media(v1)
    latest = make_link(studio, v1, follow_latest=True)
    pinned = make_link(studio, v1)
    before = access.open_link(token=token_of(latest))
    v2 = ready_asset(studio, title="  hero FILM ")  # the same deliverable
    write_media(v2)
    other = ready_asset(studio, title="Teaser")  # another deliverable: never followed

    done = follow.follow_new_version(asset_id=v2.id, tenant_id=v2.tenant_id)
    assert done["links_moved"] == 1
    assert link_asset(studio, latest.id) == v2.id
    assert link_asset(studio, pinned.id) == v1.id
    assert access.lookup(token_of(latest)).asset_id == v2.id
    after = access.open_link(token=token_of(latest))
    assert after.asset_id == v2.id and granted_asset(after.grant)[0].id == v2.id
    assert granted_asset(before.grant) is None  # the link gives the new version only
    assert access.open_link(token=token_of(pinned)).asset_id == v1.id

    # An older version that finishes later, or another deliverable, moves nothing back.
    assert follow.follow_new_version(asset_id=v1.id, tenant_id=v1.tenant_id)["links_moved"] == 0
    follow.follow_new_version(asset_id=other.id, tenant_id=other.tenant_id)
    assert link_asset(studio, latest.id) == v2.id
    with tenant_session(studio.member_ctx) as session:
        moved = session.scalar(
            text(
                "SELECT count(*) FROM audit_logs WHERE entity_type = 'share_links'"
                " AND entity_id = :i AND action = 'update'"
                " AND after->>'asset_id' = :a"
            ),
            {"i": uuid.UUID(latest.id), "a": str(v2.id)},
        )
    assert moved == 1  # the move is audited


def test_a_ready_version_queues_the_job(studio: Studio) -> None:
    v1 = ready_asset(studio, title="Cut")
    with tenant_session(studio.admin_ctx) as session:
        on_asset_status(session=session, asset=v1, status="ready")
    with tenant_session(studio.admin_ctx) as session:
        queued = session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'share_new_version'"
                " AND args->>'asset_id' = :a"
            ),
            {"a": str(v1.id)},
        )
    assert queued == 1


def test_clients_who_gave_an_address_are_told_once_and_can_unsubscribe(studio: Studio) -> None:
    v1 = ready_asset(studio, title="Hero film")
    told = make_link(
        studio,
        v1,
        name="Sign-off",
        allow_comments=True,
        ask_decision=True,
        notify_new_versions=True,
        follow_latest=True,
    )
    quiet = make_link(studio, v1, allow_comments=True)  # the owner did not choose to tell
    info = access.lookup(token_of(told))
    add_guest_comment(info=info, name="Cleo", email="Cleo@Client.test", body="Hi", timecode=0)
    add_guest_comment(info=info, name="Cleo P", email="cleo@client.test", body="Hi", timecode=1)
    record_decision(
        info=info,
        name="Dan",
        email="dan@client.test",
        decision="approved",
        note="",
        request_key=uuid.uuid4(),
    )
    add_guest_comment(
        info=access.lookup(token_of(quiet)),
        name="Eve",
        email="eve@client.test",
        body="x",
        timecode=0,
    )
    with tenant_session(studio.member_ctx) as session:
        contacts = session.scalars(
            select(ShareLinkContact).where(ShareLinkContact.share_link_id == uuid.UUID(told.id))
        ).all()
    assert sorted((c.email.lower(), c.name) for c in contacts) == [
        ("cleo@client.test", "Cleo P"),
        ("dan@client.test", "Dan"),
    ]

    v2 = ready_asset(studio, title="Hero film")
    assert follow.follow_new_version(asset_id=v2.id, tenant_id=v2.tenant_id)["clients_told"] == 2
    follow.follow_new_version(asset_id=v2.id, tenant_id=v2.tenant_id)  # a retried job
    sent = emails_to("Cleo@Client.test", "dan@client.test", "eve@client.test")
    assert sorted(e.to_address for e in sent) == ["Cleo@Client.test", "dan@client.test"]
    assert all(e.subject == "New version ready: “Hero film” v2" for e in sent)
    assert "Sign-off" in sent[0].text_body and token_of(told) not in sent[0].text_body
    assert "/api/share-unsubscribe?token=" in sent[0].text_body

    dan = next(c for c in contacts if c.email == "dan@client.test")
    token = follow.unsubscribe_token(tenant_id=dan.tenant_id, contact_id=dan.id)
    with pytest.raises(InvalidUnsubscribe):
        follow.unsubscribe(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    follow.unsubscribe(token)
    follow.unsubscribe(token)  # again: harmless
    v3 = ready_asset(studio, title="Hero film")
    follow.follow_new_version(asset_id=v3.id, tenant_id=v3.tenant_id)
    later = emails_to("Cleo@Client.test", "dan@client.test")
    assert sorted(e.to_address for e in later if "v3" in e.subject) == ["Cleo@Client.test"]

    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=told.id)
    v4 = ready_asset(studio, title="Hero film")
    assert follow.follow_new_version(asset_id=v4.id, tenant_id=v4.tenant_id) == {
        "links_moved": 0,
        "clients_told": 0,
        "asset_id": str(v4.id),
    }


def test_contacts_are_isolated_by_rls(studio: Studio, owner_conn) -> None:
    v1 = ready_asset(studio)
    link = make_link(studio, v1, allow_comments=True)
    add_guest_comment(
        info=access.lookup(token_of(link)), name="C", email="c@client.test", body="x", timecode=0
    )
    other = make_studio()
    with tenant_session(other.member_ctx) as session:
        assert session.scalars(select(ShareLinkContact)).all() == []
    with tenant_session(None) as session:
        assert session.scalar(text("SELECT count(*) FROM share_link_contacts")) == 0
    forced = owner_conn.execute(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class"
        " WHERE relname = 'share_link_contacts'"
    ).fetchone()
    assert forced == (True, True)


def test_a_removed_guest_is_not_told_of_new_versions(studio: Studio) -> None:
    v1 = ready_asset(studio, title="Hero film")
    link = make_link(studio, v1, allow_comments=True, ask_decision=True, notify_new_versions=True)
    info = access.lookup(token_of(link))
    add_guest_comment(info=info, name="Gus", email="Gus@Client.test", body="Hi", timecode=0)
    record_decision(
        info=info,
        name="Gus",
        email="gus@client.test",
        decision="approved",
        note="Fine",
        request_key=uuid.uuid4(),
    )
    add_guest_comment(info=info, name="Kim", email="kim@client.test", body="Hi", timecode=0)
    admin = session_of(studio.admin)
    gus = next(g for g in users.list_guests(user=admin) if g.email == "Gus@Client.test")

    users.remove_guest(user=admin, user_id=gus.id)

    with tenant_session(studio.member_ctx) as session:
        left = session.scalars(select(ShareLinkContact.email)).all()
        decisions = session.execute(select(ShareDecision.guest_id, ShareDecision.name)).all()
    assert left == ["kim@client.test"]
    assert decisions == [(None, "Gus")]  # the decision stays as history, with the name given
    v2 = ready_asset(studio, title="Hero film")
    assert follow.follow_new_version(asset_id=v2.id, tenant_id=v2.tenant_id)["clients_told"] == 1
    sent = emails_to("Gus@Client.test", "gus@client.test", "kim@client.test")
    assert [e.to_address for e in sent] == ["kim@client.test"]
