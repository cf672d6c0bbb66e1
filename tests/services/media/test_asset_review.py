"""Review: timecoded comments (seek data, threads, resolve, filter, search, PII) and approvals."""

from __future__ import annotations

import pytest

from portal.db import tenant_session
from portal.services.core.errors import Conflict, InvalidInput, NotFound, OldVersion
from portal.services.media.assets import create_asset_version
from portal.services.media.comments import (
    add_asset_comment,
    asset_thread,
    scrub_pii,
    set_resolved,
)
from portal.services.media.review import decide
from portal.services.media.timecode import format_timecode, frame_at
from portal.services.media.views import asset_view, project_deliverables
from tests.factories import Studio, make_studio, ready_version

pytestmark = pytest.mark.usefixtures("database")


def test_timecodes_at_the_assets_frame_rate() -> None:
    assert format_timecode(0, 25) == "00:00:00:00"
    assert format_timecode(3725.48, 25) == "01:02:05:12"
    assert frame_at(0.04, 25) == 1 and frame_at(0.0399, 25) == 0
    assert format_timecode(1.0, 29.97) == "00:00:00:29"  # 29.97 counts 30 frames a second


def test_comment_carries_seek_data_and_threads_sort_by_time(studio: Studio) -> None:
    asset = ready_version(studio, fps="24")
    with tenant_session(studio.member_ctx) as session:
        late = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="Colour shift here",
            timecode="10.5",
            end="11.25",
        )
        early = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="Logo too small",
            timecode=2.0,
        )
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.admin.id,
            body="Fixed in the next cut",
            reply_to_id=late.id,
        )
        views = asset_thread(session=session, asset_id=asset.id)
    assert late.meta == {"timecode": 10.5, "frame": 252, "end": 11.25, "resolved": False}
    assert early.meta["frame"] == 48
    assert [(v.body, v.is_reply, v.seconds) for v in views] == [
        ("Logo too small", False, 2.0),
        ("Colour shift here", False, 10.5),
        ("Fixed in the next cut", True, 10.5),
    ]
    assert views[1].timecode == "00:00:10:12 – 00:00:11:06"
    # The scrubber draws a range comment as a bar to its out point; replies carry no range.
    assert [v.end_seconds for v in views] == ["", "11.250", ""]


@pytest.mark.parametrize(
    ("timecode", "end", "message"),
    [
        ("-1", None, "outside"),
        ("13", None, "outside"),
        ("abc", None, "not a time"),
        ("5", "4", "end after it starts"),
        ("5", "5", "end after it starts"),
        ("5", "12.6", "out point is outside the video"),
        ("5", "later", "out point is not a time"),
    ],
)
def test_bad_timecodes_are_refused(studio: Studio, timecode, end, message) -> None:
    asset = ready_version(studio)
    with tenant_session(studio.member_ctx) as session, pytest.raises(InvalidInput, match=message):
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=None,
            body="x",
            timecode=timecode,
            end=end,
        )


def test_resolve_reopen_filter_and_search(studio: Studio) -> None:
    asset = ready_version(studio)
    with tenant_session(studio.member_ctx) as session:
        a = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=None,
            body="The music swells too early",
            timecode=1,
        )
        add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="Typo in the super", timecode=3
        )
        reply = add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="Agreed", reply_to_id=a.id
        )
        set_resolved(session=session, comment_id=reply.id, user_id=studio.member.id, resolved=True)
        opened = [v.body for v in asset_thread(session=session, asset_id=asset.id, status="open")]
        done = [v.body for v in asset_thread(session=session, asset_id=asset.id, status="resolved")]
        found = [
            v.body for v in asset_thread(session=session, asset_id=asset.id, query="swelling music")
        ]
        set_resolved(session=session, comment_id=a.id, user_id=studio.member.id, resolved=False)
        reopened = asset_thread(session=session, asset_id=asset.id, status="open")
    assert opened == ["Typo in the super"]
    assert done == ["The music swells too early", "Agreed"]
    assert found == ["The music swells too early", "Agreed"]  # stemmed: swelling ~ swells
    assert len(reopened) == 3


def test_emails_and_phone_numbers_are_masked_before_insert(studio: Studio) -> None:
    assert scrub_pii("call +61 412 345 678 or mail jo.b@client.com.au") == (
        "call [phone removed] or mail [email removed]"
    )
    assert scrub_pii("at 00:01:02:03 in 2026, shot 12") == "at 00:01:02:03 in 2026, shot 12"
    asset = ready_version(studio)
    with tenant_session(studio.member_ctx) as session:
        c = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=None,
            body="Ring me on (02) 9876 5432",
            timecode=0,
        )
    assert c.body == "Ring me on [phone removed]"


def test_approval_rules_and_explicit_old_version(studio: Studio) -> None:
    v1 = ready_version(studio)
    v2 = ready_version(studio, title=" hero FILM ")
    with tenant_session(studio.member_ctx) as session:
        decide(
            session=session, asset_id=v2.id, user_id=studio.member.id, decision="changes_requested"
        )
        with pytest.raises(OldVersion, match="v2 is newer"):
            decide(session=session, asset_id=v1.id, user_id=studio.member.id, decision="approved")
        decide(
            session=session,
            asset_id=v1.id,
            user_id=studio.member.id,
            decision="approved",
            confirm_old=True,
        )
        with pytest.raises(Conflict, match="already"):
            decide(session=session, asset_id=v1.id, user_id=None, decision="approved")
        with pytest.raises(InvalidInput, match="back to review"):
            decide(session=session, asset_id=v1.id, user_id=None, decision="changes_requested")
        view, stack = asset_view(session=session, asset_id=v1.id)
        deliverables = project_deliverables(session=session, project_id=studio.project.id)
    assert [v.label for v in stack] == ["v2", "v1"] and view.label == "v1" and not view.is_latest
    assert view.reviewed.startswith("Approved by Sam Member")
    assert [(d.title, d.latest_label, d.review_label) for d in deliverables] == [
        (" hero FILM ".strip(), "v2", "Changes requested")
    ]


def test_processing_versions_cannot_be_reviewed(studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        asset = create_asset_version(session=session, project_id=studio.project.id, title="X")
        with pytest.raises(InvalidInput, match="finished processing"):
            decide(session=session, asset_id=asset.id, user_id=None, decision="approved")


def test_posters_of_processed_versions(studio: Studio) -> None:
    """Thumbnails: each processed version's poster; a deliverable shows its newest processed
    one while the latest is still processing, and none before any is processed."""
    v1 = ready_version(studio)
    with tenant_session(studio.admin_ctx) as session:
        v2 = create_asset_version(session=session, project_id=studio.project.id, title="Hero film")
        create_asset_version(session=session, project_id=studio.project.id, title="Teaser")
    with tenant_session(studio.member_ctx) as session:
        _, stack = asset_view(session=session, asset_id=v2.id)
        deliverables = project_deliverables(session=session, project_id=studio.project.id)
    poster = f"/api/media/{v1.id}/poster.jpg"
    assert [(v.label, v.poster) for v in stack] == [("v2", ""), ("v1", poster)]
    assert {d.title: d.poster for d in deliverables} == {"Hero film": poster, "Teaser": ""}


def test_another_tenants_asset_is_refused_everywhere(studio: Studio) -> None:
    asset = ready_version(studio)
    other = make_studio()
    with tenant_session(other.member_ctx) as session:
        for call in (
            lambda: add_asset_comment(
                session=session, asset_id=asset.id, author_id=None, body="hi", timecode=0
            ),
            lambda: asset_thread(session=session, asset_id=asset.id),
            lambda: decide(session=session, asset_id=asset.id, user_id=None, decision="approved"),
            lambda: asset_view(session=session, asset_id=asset.id),
        ):
            with pytest.raises(NotFound):
                call()


def test_search_across_the_tenants_comments_stays_in_scope(studio: Studio) -> None:
    from portal.services.media.comments import search_comments

    mine, other = ready_version(studio), make_studio()
    theirs = ready_version(other)
    for s, asset in ((studio, mine), (other, theirs)):
        with tenant_session(s.member_ctx) as session:
            add_asset_comment(
                session=session,
                asset_id=asset.id,
                author_id=None,
                body="Grade the sunset warmer",
                timecode=1,
            )
    with tenant_session(studio.member_ctx) as session:
        found = search_comments(session=session, query="grading sunsets")
    assert [c.parent_id for c in found] == [mine.id]
