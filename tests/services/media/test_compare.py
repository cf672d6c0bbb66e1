"""Comparing versions: only two ready versions of one deliverable; earlier versions' comments
on a newer one, marked with their version, resolved in one place."""

from __future__ import annotations

import pytest

from portal.db import tenant_session
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.media.comments import add_asset_comment, asset_thread, set_resolved
from portal.services.media.compare import compare_pair, threads_with_earlier
from tests.factories import Studio, make_studio, ready_version

pytestmark = pytest.mark.usefixtures("database")


def test_pair_is_two_ready_versions_of_one_deliverable(studio: Studio) -> None:
    v1, v2 = ready_version(studio), ready_version(studio)
    other = ready_version(studio, title="Teaser")
    with tenant_session(studio.member_ctx) as session:
        left, right, stack = compare_pair(session=session, left_id=v1.id, right_id=v2.id)
        assert (left.label, right.label, [v.label for v in stack]) == ("v1", "v2", ["v2", "v1"])
        for a, b, message in (
            (v1.id, v1.id, "two different versions"),
            (v1.id, other.id, "same deliverable"),
        ):
            with pytest.raises(InvalidInput, match=message):
                compare_pair(session=session, left_id=a, right_id=b)
        with pytest.raises(NotFound):
            compare_pair(session=session, left_id=v1.id, right_id="not-a-uuid")
    # Another tenant's user cannot compare this studio's versions (RLS: not found).
    stranger = make_studio()
    with tenant_session(stranger.member_ctx) as session, pytest.raises(NotFound):
        compare_pair(session=session, left_id=v1.id, right_id=v2.id)


def test_earlier_comments_marked_and_resolved_once(studio: Studio) -> None:
    v1, v2, v3 = ready_version(studio), ready_version(studio), ready_version(studio)
    with tenant_session(studio.member_ctx) as session:
        old = add_asset_comment(
            session=session, asset_id=v1.id, author_id=studio.member.id, body="Old", timecode="3"
        )
        add_asset_comment(
            session=session, asset_id=v3.id, author_id=studio.member.id, body="New", timecode="1"
        )
        add_asset_comment(
            session=session, asset_id=v2.id, author_id=studio.member.id, body="Mid", timecode="2"
        )
        own = threads_with_earlier(session=session, asset_id=v3.id, earlier=[])
        assert [(c.body, c.version_label) for c in own] == [("New", "")]
        # v1 chosen (and a newer version's id and a stranger id are ignored): merged by time.
        shown = threads_with_earlier(
            session=session, asset_id=v2.id, earlier=[str(v1.id), str(v3.id), "x"]
        )
        assert [(c.body, c.version_label) for c in shown] == [("Mid", ""), ("Old", "v1")]
        # Resolving from the newer page resolves the comment itself: v1 shows it resolved.
        set_resolved(session=session, comment_id=old.id, user_id=studio.member.id, resolved=True)
        assert [c.resolved for c in asset_thread(session=session, asset_id=v1.id)] == [True]
        shown = threads_with_earlier(
            session=session, asset_id=v3.id, earlier=[str(v1.id)], status="open"
        )
        assert [c.body for c in shown] == ["New"]
