"""The client page's and the owner's share-link states, driven without a browser: handlers
called with other ids reach nothing but the link's own version."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest
from reflex.istate.data import ReflexURL
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import Comment, ShareLink
from portal.services.sharing.links import revoke_share_link
from portal.state.share_links import ShareLinksState
from portal.state.share_view import ShareViewState
from tests.factories import Studio, make_studio
from tests.share_support import make_link, move_to_mux, ready_asset, shared, token_of
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")
BASE = "http://localhost:3000"


def client(token: str) -> ShareViewState:
    return make_state(ShareViewState, url=f"{BASE}/s/{token}")


def asset_comments(studio: Studio, asset_id) -> list[Comment]:
    with tenant_session(studio.member_ctx) as session:
        return list(session.scalars(select(Comment).where(Comment.parent_id == asset_id)).all())


def view_count(studio: Studio, link_id: str) -> int:
    with tenant_session(studio.member_ctx) as session:
        return session.get(ShareLink, UUID(link_id)).view_count


def test_opening_counts_a_view_and_keeps_the_token_out_of_state(studio: Studio) -> None:
    s = shared(studio, allow_download=True)
    state = client(s.token)
    state.load()
    assert state.available and not state.needs_passcode and state.title == "Hero film"
    assert state.label == "v1" and state.src.startswith("/api/share-media/")
    assert state.download_url.endswith("/download") and view_count(studio, s.link.id) == 1
    assert s.token not in repr(state.dict()) and state.brand_name == studio.agency.name
    assert s.token not in state.src and s.token not in state._link_id


@pytest.mark.parametrize("path", ["A" * 43, "short", "a%2F..%2Fb", "<script>", "x" * 5000])
def test_unknown_and_malformed_tokens_show_the_same_page(path: str) -> None:
    state = make_state(ShareViewState, url=f"{BASE}/s/{path}")
    state.load()
    assert state.loaded and not state.available and state.src == "" and state.title == ""


def test_passcode_missing_wrong_then_right(studio: Studio) -> None:
    s = shared(studio, passcode="tangerine")
    state = client(s.token)
    state.load()
    assert state.needs_passcode and state.src == "" and view_count(studio, s.link.id) == 0
    state.submit_passcode({})
    assert state.passcode_error == "Enter the passcode."
    state.submit_passcode({"passcode": "lemon"})
    assert state.passcode_error == "That passcode is not right." and state.src == ""
    state.submit_passcode({"passcode": "tangerine"})
    assert state.src and not state.needs_passcode and view_count(studio, s.link.id) == 1


def test_comment_handlers_ignore_other_ids(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    other = ready_asset(studio, title="Secret cut", version=2)
    other_link = make_link(studio, other, allow_comments=True)
    state = client(s.token)
    state.load()
    state.post_comment(
        {
            "name": "<b>Cleo</b>",
            "email": "cleo@client.test",
            "body": "Love it",
            "timecode": "1.2",
            "asset_id": str(other.id),
            "parent_id": str(other.id),
            "link_id": other_link.id,
        }
    )
    assert state.comment_error == "" and [c.body for c in state.comments] == ["Love it"]
    assert state.comments[0].author_name == "<b>Cleo</b>"  # text, escaped when rendered
    assert [c.body for c in asset_comments(studio, s.asset.id)] == ["Love it"]
    assert asset_comments(studio, other.id) == []
    state.post_comment({"body": "Second, same guest"})
    assert state.guest_name == "<b>Cleo</b>" and len(state.comments) == 2


def test_a_tab_can_only_act_on_the_link_it_opened(studio: Studio) -> None:
    a = shared(studio, allow_comments=True)
    b_link = make_link(studio, ready_asset(studio, title="B", version=2), allow_comments=True)
    opened_a = client(a.token)
    opened_a.load()
    # Same tab, another link's URL, never opened here: refused.
    root = opened_a.parent_state
    root.router = replace(root.router, url=ReflexURL(f"{BASE}/s/{token_of(b_link)}"))
    opened_a.post_comment({"name": "C", "email": "c@c.test", "body": "sneaky"})
    assert opened_a.comment_error == "This link is not available."
    never_opened = client(a.token)
    never_opened.post_comment({"name": "C", "email": "c@c.test", "body": "sneaky"})
    assert never_opened.comment_error == "This link is not available."
    assert asset_comments(studio, a.asset.id) == []


def test_revoking_refuses_the_open_page(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    state = client(s.token)
    state.load()
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    state.post_comment({"name": "C", "email": "c@c.test", "body": "late"})
    assert state.comment_error == "This link is not available." and not state.available
    state.load()
    assert not state.available and state.src == ""


def test_a_refused_comment_takes_the_last_thanks_away(studio: Studio) -> None:
    # Issue 20: "Comment is required." showed next to "Thank you: your comment was sent."
    s = shared(studio, allow_comments=True)
    state = client(s.token)
    state.load()
    state.post_comment({"name": "Cleo", "email": "cleo@client.test", "body": "Lovely"})
    assert state.notice.startswith("Thank you") and state.comment_error == ""
    state.post_comment({"body": "  "})
    assert state.comment_error == "Comment is required." and state.notice == ""


def test_guest_bad_input_gives_clear_messages(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    state = client(s.token)
    state.load()
    state.post_comment({"name": "C", "email": "c@c.test", "body": "x" * 20_000})
    assert state.comment_error == "Comment must be at most 10000 characters."
    state.post_comment({"name": "C", "email": "nope", "body": "hi"})
    assert state.comment_error == "Enter a valid email address."
    state.post_comment("not a form")
    assert state.comment_error == "Your name is required."
    state.post_comment({"name": "C", "email": "c\x00@c.test", "body": "hi"})
    assert state.comment_error == "Enter a valid email address."
    state.post_comment({"name": "C", "email": "c@c.test", "body": "h\x00i"})
    assert state.comment_error == "Comment contains characters that are not allowed."
    assert asset_comments(studio, s.asset.id) == []


def test_viewer_name_loses_control_characters(studio: Studio) -> None:
    s = shared(studio, passcode="tangerine", watermark=True, name="Legal")
    state = client(s.token)
    state.load()
    state.submit_passcode({"passcode": "tangerine", "viewer": "ann\x00@client.test\x1b"})
    assert state.viewer == "ann @client.test"


def test_owner_creates_sees_url_once_and_manages(studio: Studio) -> None:
    asset = ready_asset(studio)
    cookie = signed_in_cookie(studio.member.email)
    state = make_state(ShareLinksState, cookie=cookie, url=f"{BASE}/asset?id={asset.id}")
    state.load_asset()
    assert state.can_share and state.links == []
    state.create({"name": "Client", "days": "7", "passcode": "tangerine", "allow_comments": "on"})
    assert state.error == "" and "/s/" in state.new_url
    # The copy-once box is the only word on it (issue 20: the notice was shown twice).
    assert state.notice == ""
    [link] = state.links
    assert link.passcode and link.allow_comments and not link.allow_download
    state.dismiss_url()
    assert state.new_url == ""
    state.show_stats(link.id)
    assert state.stats_views == 0 and len(state.stats_by_day) == 30
    state.extend({"link_id": link.id, "days": "3"})
    state.set_passcode({"link_id": link.id, "passcode": "ab"})
    assert "4 to 128" in state.error
    state.revoke(link.id)
    assert state.links[0].status == "revoked" and state.notice == "Link revoked."
    project = make_state(
        ShareLinksState, cookie=cookie, url=f"{BASE}/project?id={studio.project.id}"
    )
    project.load_project()
    assert [v.id for v in project.links] == [link.id]


def test_owner_handlers_refuse_other_tenants_ids(studio: Studio) -> None:
    theirs = shared(make_studio())
    state = make_state(
        ShareLinksState,
        cookie=signed_in_cookie(studio.member.email),
        url=f"{BASE}/asset?id={theirs.asset.id}",
    )
    state.load_asset()
    assert state.links == [] and "not available" in state.error
    state.create({"days": "7"})
    assert "not available" in state.error and state.new_url == ""
    state.revoke(theirs.link.id)
    assert "not available" in state.error
    assert view_count(theirs.studio, theirs.link.id) == 0
    with tenant_session(theirs.studio.member_ctx) as session:
        assert session.get(ShareLink, UUID(theirs.link.id)).status == "active"


def test_signed_out_owner_state_does_nothing(studio: Studio) -> None:
    asset = ready_asset(studio)
    state = make_state(ShareLinksState, url=f"{BASE}/asset?id={asset.id}")
    state.load_asset()
    state.create({"days": "7"})
    assert state.new_url == "" and "sign in" in state.error


ARROW = '{"v":1,"shapes":[{"type":"arrow","color":"red","points":[[0.2,0.3],[0.6,0.7]]}]}'


def test_guest_drawing_round_trip_and_refusal_on_another_version(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    other = ready_asset(studio, title="Secret cut", version=2)
    state = client(s.token)
    state.load()
    guest = {"name": "Cleo", "email": "cleo@client.test", "timecode": "1.2"}
    state.post_comment({**guest, "body": "x", "annotation": ARROW, "version": str(other.id)})
    assert "does not give access to that version" in state.comment_error
    assert asset_comments(studio, s.asset.id) == [] and asset_comments(studio, other.id) == []
    state.post_comment({**guest, "body": "Arrow", "annotation": ARROW, "version": state.version_id})
    assert state.comment_error == "" and state.drawings_saved == 1
    assert '"points":[[0.2,0.3],[0.6,0.7]]' in state.drawings and state.comments[0].has_drawing


def test_watermark_text_and_renewal_stop_when_revoked(studio: Studio) -> None:
    s = shared(studio, passcode="tangerine", watermark=True, name="Legal")
    state = client(s.token)
    state.load()
    assert state.watermark and state.needs_passcode
    state.submit_passcode({"passcode": "tangerine", "viewer": "ann@client.test"})
    assert state.watermark_text.startswith("ann@client.test · Legal · ")
    state.renew()
    assert state.renewal and state.available
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    state.renewal = ""
    state.renew()
    assert not state.available and state.renewal == "" and state.src == ""


def test_watermarked_link_to_a_mux_version_offers_no_download(studio: Studio) -> None:
    asset = move_to_mux(studio, ready_asset(studio), "signedNoteOnly")
    link = make_link(studio, asset, allow_download=True)
    with tenant_session(studio.member_ctx) as session:  # a link from before the refusal
        session.get(ShareLink, UUID(link.id)).watermark = True
    state = client(token_of(link))
    state.load()
    assert state.available and state.watermark
    # No button promising a file, no "being prepared" that would never end: a plain note.
    assert state.download_url == "" and not state.download_preparing
    assert "cannot be downloaded here" in state.download_note
    state.renew()
    assert state.download_url == "" and state.download_note


def test_mux_version_without_watermark_offers_the_download(studio: Studio) -> None:
    asset = move_to_mux(studio, ready_asset(studio), "signedPlain")
    state = client(token_of(make_link(studio, asset, allow_download=True)))
    state.load()
    assert state.download_url.endswith("/download") and state.download_note == ""
