"""Share links, owner side: create (token hashed, passcode argon2), list, revoke, extend,
passcode change, analytics, audit, and the 90-day purge with a controllable clock."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select, text

from portal.db import tenant_session
from portal.models import AuditLog, ShareLink, ShareLinkView
from portal.services.accounts.passwords import token_hash
from portal.services.compliance.retention import purge_retention
from portal.services.core.errors import InvalidInput, LinkUnavailable, NotFound, WrongPasscode
from portal.services.sharing import access
from portal.services.sharing.links import (
    change_passcode,
    extend_share_link,
    links_for_asset,
    links_for_project,
    revoke_share_link,
    set_link_options,
    share_analytics,
)
from tests.factories import Studio, make_studio
from tests.share_support import make_link, move_to_mux, ready_asset, shared, token_of

pytestmark = pytest.mark.usefixtures("database")


def row(studio: Studio, link_id: str) -> ShareLink:
    with tenant_session(studio.member_ctx) as session:
        return session.get(ShareLink, UUID(str(link_id)))


def audit_rows(studio: Studio, link_id: str) -> list[AuditLog]:
    """The link's audit rows in chain order, as its tenant's member reads them."""
    with tenant_session(studio.member_ctx) as session:
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.entity_id == UUID(str(link_id)))
                .order_by(AuditLog.chain_seq)
            )
        )


def test_only_the_token_hash_and_an_argon2_passcode_are_stored(studio: Studio, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    s = shared(studio, passcode="open sesame", name="Legal team")
    assert access.TOKEN.fullmatch(s.token) and s.link.url.endswith(f"/s/{s.token}")
    stored = row(studio, s.link.id)
    assert stored.hashed_token == token_hash(s.token) and s.token not in repr(stored)
    assert stored.passcode_hash.startswith("$argon2") and stored.name == "Legal team"
    assert stored.expires_at - datetime.now(UTC) > timedelta(days=13, hours=23)
    access.open_link(token=s.token, passcode="open sesame", ip="10.0.0.1")
    assert s.token not in caplog.text and stored.hashed_token not in caplog.text


def test_audit_log_has_the_link_id_never_the_token_and_skips_view_counts(studio: Studio) -> None:
    s = shared(studio, passcode="open sesame")
    for _ in range(3):
        access.open_link(token=s.token, passcode="open sesame")
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    rows = audit_rows(studio, s.link.id)
    assert [r.action for r in rows] == ["insert", "update"]  # created, revoked; views are not
    assert rows[1].after["status"] == "revoked" and rows[1].actor_id == studio.member.id
    dumped = json.dumps([[r.before, r.after] for r in rows])
    assert s.token not in dumped and token_hash(s.token) not in dumped
    assert "argon2" not in dumped and rows[0].after["passcode_set"] is True


def test_the_view_that_exhausts_a_link_is_audited_in_its_tenant(studio: Studio) -> None:
    s = shared(studio, view_limit=2)
    with tenant_session(studio.member_ctx) as session:
        created = session.get(ShareLink, UUID(s.link.id)).updated_at
    access.open_link(token=s.token)
    with tenant_session(studio.member_ctx) as session:
        link = session.get(ShareLink, UUID(s.link.id))
        assert link.view_count == 1 and link.updated_at == created  # a view is analytics
    access.open_link(token=s.token)
    rows = audit_rows(studio, s.link.id)
    assert [r.action for r in rows] == ["insert", "update"]
    exhausted = rows[1]
    assert exhausted.tenant_id == studio.agency.id and exhausted.actor_id is None
    assert (exhausted.before["status"], exhausted.after["status"]) == ("active", "exhausted")


def test_updates_outside_the_open_function_are_audited_even_with_its_setting(
    studio: Studio,
) -> None:
    """Views skip the audit because the open function (its owner, its setting) makes them; the
    runtime role turning the same setting on changes nothing about what is audited."""
    s = shared(studio)
    with tenant_session(studio.member_ctx) as session:
        before = session.get(ShareLink, UUID(s.link.id)).updated_at
        session.execute(text("SELECT set_config('app.share_lookup', 'on', true)"))
        session.execute(
            text(
                "UPDATE share_links SET view_count = view_count + 1, name = 'renamed'"
                " WHERE id = :id"
            ),
            {"id": s.link.id},
        )
    link, rows = row(studio, s.link.id), audit_rows(studio, s.link.id)
    assert link.updated_at > before
    assert [r.action for r in rows] == ["insert", "update"]
    assert rows[1].after["name"] == "renamed" and rows[1].after["view_count"] == 1


def test_runtime_role_cannot_use_the_share_open_policies(studio: Studio) -> None:
    """The share_open policies admit only the functions' owner: the runtime role switching the
    setting on itself still sees and changes nothing outside its tenant."""
    s = shared(studio)
    other = make_studio()
    with tenant_session(other.member_ctx) as session:
        session.execute(text("SELECT set_config('app.share_lookup', 'on', true)"))
        changed = session.execute(
            text("UPDATE share_links SET name = 'taken' WHERE id = :id"), {"id": s.link.id}
        ).rowcount
        assert changed == 0
    with tenant_session(studio.member_ctx) as session:
        assert session.get(ShareLink, UUID(s.link.id)).name != "taken"


def test_create_refuses_bad_input_with_clear_messages(studio: Studio) -> None:
    asset = ready_asset(studio)
    cases = {
        "between 1 and 90 days": {"expires_in_days": 91},
        "whole number of days": {"expires_in_days": "soon"},
        "view limit must be between": {"view_limit": 0},
        "view limit must be a whole": {"view_limit": "many"},
        "passcode must be 4 to 128": {"passcode": "abc"},
        "Name must be at most 200": {"name": "x" * 201},
    }
    for message, options in cases.items():
        with pytest.raises(InvalidInput, match=message):
            make_link(studio, asset, **options)
    with tenant_session(studio.member_ctx) as session:
        assert session.scalars(select(ShareLink).where(ShareLink.asset_id == asset.id)).all() == []


def test_only_ready_versions_in_scope_can_be_shared(studio: Studio) -> None:
    asset = ready_asset(studio)
    with tenant_session(studio.admin_ctx) as session:
        session.execute(
            text("UPDATE assets SET status = 'processing' WHERE id = :i"), {"i": asset.id}
        )
    with pytest.raises(InvalidInput, match="finished processing"):
        make_link(studio, asset)
    outsider = make_studio()
    with pytest.raises(NotFound):
        make_link(outsider, ready_asset(studio, title="Other", version=2))


def test_a_mux_hosted_version_cannot_have_a_watermarked_download(studio: Studio) -> None:
    asset = move_to_mux(studio, ready_asset(studio), "signedNoBurn")
    with pytest.raises(InvalidInput, match="Untick Download or Watermark"):
        make_link(studio, asset, allow_download=True, watermark=True)
    make_link(studio, asset, watermark=True)  # the overlay alone is fine
    link = make_link(studio, asset, allow_download=True)
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match="hosted on Mux"):
            set_link_options(
                session=session,
                link_id=link.id,
                allow_comments=True,
                allow_download=True,
                watermark=True,
            )
    kept = row(studio, link.id)
    assert kept.allow_download and not kept.watermark and not kept.allow_comments
    with tenant_session(studio.admin_ctx) as session:
        queued = session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'make_share_rendition'"
                " AND args->>'link_id' = :id"
            ),
            {"id": link.id},
        ).scalar_one()
    assert queued == 0


def test_lists_per_asset_and_per_project_with_status_and_views(studio: Studio) -> None:
    asset = ready_asset(studio)
    other = ready_asset(studio, title="Teaser", version=2)
    first = make_link(studio, asset, view_limit=2, name="client")
    second = make_link(studio, asset)
    third = make_link(studio, other)
    for _ in range(2):
        access.open_link(token=token_of(first))
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=second.id)
        by_asset = links_for_asset(session=session, asset_id=asset.id)
        by_project = links_for_project(session=session, project_id=studio.project.id)
    assert [(v.id, v.status) for v in by_asset] == [(second.id, "revoked"), (first.id, "exhausted")]
    assert by_asset[1].views == "2 / 2" and by_asset[1].last_viewed != "never"
    assert by_asset[0].last_viewed == "never" and not by_asset[0].live
    assert {v.id for v in by_project} == {first.id, second.id, third.id}
    assert {v.asset_title for v in by_project} == {"Hero film", "Teaser"}
    with tenant_session(make_studio().member_ctx) as session:
        assert links_for_project(session=session, project_id=studio.project.id) == []


def test_expiry_extend_and_revoke(studio: Studio) -> None:
    s = shared(studio)
    with tenant_session(studio.member_ctx) as session:
        session.execute(
            text("UPDATE share_links SET expires_at = now() - interval '1 minute' WHERE id = :i"),
            {"i": s.link.id},
        )
    assert row(studio, s.link.id).status == "expired"  # the database rule
    with pytest.raises(LinkUnavailable):
        access.open_link(token=s.token)
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match="between 1 and 90 days"):
            extend_share_link(session=session, link_id=s.link.id, days=91)
        extended = extend_share_link(session=session, link_id=s.link.id, days=3)
    assert extended.status == "active"
    assert timedelta(days=2, hours=23) < extended.expires_at - datetime.now(UTC) < timedelta(days=3)
    assert access.open_link(token=s.token).view_count == 1
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match="at most 90 days"):
            extend_share_link(session=session, link_id=s.link.id, days=88)
        revoke_share_link(session=session, link_id=s.link.id)
        with pytest.raises(InvalidInput, match="revoked link cannot be extended"):
            extend_share_link(session=session, link_id=s.link.id, days=1)
    assert row(studio, s.link.id).revoked_at is not None
    with pytest.raises(LinkUnavailable):
        access.open_link(token=s.token)


def test_changing_the_passcode(studio: Studio) -> None:
    s = shared(studio, passcode="first-code")
    with tenant_session(studio.member_ctx) as session:
        change_passcode(session=session, link_id=s.link.id, passcode="second-code")
    with pytest.raises(WrongPasscode):
        access.open_link(token=s.token, passcode="first-code")
    assert access.open_link(token=s.token, passcode="second-code").view_count == 1
    with tenant_session(studio.member_ctx) as session:
        change_passcode(session=session, link_id=s.link.id, passcode="")
    assert access.open_link(token=s.token).view_count == 2


def test_other_tenants_cannot_manage_a_link(studio: Studio) -> None:
    s = shared(studio)
    outsider = make_studio()
    for action in (revoke_share_link, share_analytics):
        with tenant_session(outsider.member_ctx) as session, pytest.raises(NotFound):
            action(session=session, link_id=s.link.id)
    with tenant_session(outsider.member_ctx) as session, pytest.raises(NotFound):
        extend_share_link(session=session, link_id=s.link.id, days=1)
    assert row(studio, s.link.id).status == "active"


def test_analytics_counts_views_unique_viewers_and_comments(studio: Studio) -> None:
    from portal.services.sharing.guests import add_guest_comment

    s = shared(studio, allow_comments=True)
    for ip, agent in [("10.0.0.1", "A"), ("10.0.0.1", "A"), ("10.0.0.2", "A"), ("10.0.0.1", "B")]:
        access.open_link(token=s.token, ip=ip, user_agent=agent)
    info = access.lookup(s.token)
    add_guest_comment(info=info, name="Cleo", email="cleo@client.test", body="Nice", timecode=1)
    with tenant_session(studio.member_ctx) as session:
        stats = share_analytics(session=session, link_id=s.link.id)
    assert (stats.views, stats.unique_viewers, stats.comments) == (4, 3, 1)
    assert stats.last_viewed != "never" and len(stats.by_day) == 30
    assert stats.by_day[-1]["views"] == 4 and sum(d["views"] for d in stats.by_day) == 4
    with tenant_session(studio.member_ctx) as session:
        hashes = session.scalars(select(ShareLinkView.viewer_hash)).all()
    assert all("10.0.0" not in h for h in hashes)


def test_viewer_hash_salt_rotates_daily() -> None:
    day = datetime(2026, 3, 1, 12, tzinfo=UTC)
    same = access.viewer_hash("10.0.0.1", "A", day)
    assert same == access.viewer_hash("10.0.0.1", "A", day + timedelta(hours=11))
    assert same != access.viewer_hash("10.0.0.1", "A", day + timedelta(days=1))
    assert same != access.viewer_hash("10.0.0.2", "A", day)


def test_links_are_purged_90_days_after_expiry_with_their_views(studio: Studio) -> None:
    s = shared(studio)
    access.open_link(token=s.token)
    expires = datetime.now(UTC) + timedelta(days=14)
    purge_retention(now=expires + timedelta(days=89, hours=23))  # the owner-only as-of twin
    assert row(studio, s.link.id) is not None
    counts = purge_retention(now=expires + timedelta(days=90, minutes=1))
    assert counts["share_links"] >= 1 and row(studio, s.link.id) is None
    with tenant_session(studio.member_ctx) as session:
        views = session.scalars(
            select(ShareLinkView).where(ShareLinkView.share_link_id == UUID(s.link.id))
        ).all()
    assert views == []
