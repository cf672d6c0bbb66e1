"""@mentions in review comments: who can be suggested (the project's people in the caller's
scope, never guests or another tenant's), and bodies split into text and chips."""

from __future__ import annotations

import json

import pytest

from portal.db import tenant_session
from portal.services.media.comments import add_asset_comment
from portal.services.media.compare import threads_with_earlier
from portal.services.media.mentions import people_for_asset, people_json, split_mentions
from portal.services.media.view_types import BodyPart
from tests.factories import Studio, make_studio, make_user, ready_version

pytestmark = pytest.mark.usefixtures("database")


def handle(email: str) -> str:
    return email.split("@")[0]


def test_people_who_can_see_the_version(studio: Studio) -> None:
    asset = ready_version(studio)
    make_user(tenant=studio.agency, role="guest", name="Gus Guest")
    other = make_studio()
    with tenant_session(studio.admin_ctx) as session:
        seen_by_admin = people_for_asset(session=session, asset_id=asset.id)
    with tenant_session(studio.member_ctx) as session:
        seen_by_member = people_for_asset(session=session, asset_id=asset.id)
    assert seen_by_admin == {
        handle(studio.admin.email): "Ada Admin",
        handle(studio.member.email): "Sam Member",
    }
    # The agency's member sees their own tenant's people (RLS), never guests or strangers.
    assert seen_by_member == {handle(studio.member.email): "Sam Member"}
    assert handle(other.member.email) not in seen_by_admin
    assert json.loads(people_json(seen_by_member)) == [
        {"handle": handle(studio.member.email), "name": "Sam Member"}
    ]


def test_bodies_split_into_text_and_chips(studio: Studio) -> None:
    people = {"sam.x": "Sam Member"}
    assert split_mentions("no mention here", people) == []
    assert split_mentions("mail sam.x@x.test or @nobody", people) == []
    assert split_mentions("@SAM.X, look.", people) == [
        BodyPart("@SAM.X", "Sam Member"),
        BodyPart(", look."),
    ]
    asset = ready_version(studio)
    sam = handle(studio.member.email)
    with tenant_session(studio.admin_ctx) as session:
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.admin.id,
            body=f"Ask @{sam} about <b>it</b>",
            timecode="1",
        )
        [view] = threads_with_earlier(session=session, asset_id=asset.id, earlier=[])
    assert view.parts == [
        BodyPart("Ask "),
        BodyPart(f"@{sam}", "Sam Member"),
        BodyPart(" about <b>it</b>"),
    ]
