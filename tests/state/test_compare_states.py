"""Compare page and "Show v1 comments" handlers without a browser: the pair is checked on the
server (another tenant's or another deliverable's version is refused with a message)."""

from __future__ import annotations

import pytest

from portal import routes
from portal.state.compare import CompareState
from tests.factories import make_studio, ready_version
from tests.state.test_asset_states import asset_state
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def compare_state(email: str, query: str) -> CompareState:
    url = f"http://localhost:3000/compare?{query}"
    state = make_state(CompareState, cookie=signed_in_cookie(email), url=url)
    state.load()
    return state


def test_compare_pair_mode_and_choice() -> None:
    s = make_studio()
    v1, v2, v3 = (ready_version(s, duration=20) for _ in range(3))
    state = compare_state(s.member.email, f"a={v1.id}&b={v3.id}&mode=wipe")
    assert state.error == "" and state.ready and state.mode == "wipe"
    assert state.title.endswith(": v1 vs v3")
    assert state.left_src.endswith(f"/api/media/{v1.id}/hls/master.m3u8")
    assert state.back_href == routes.asset_url(str(v3.id), compare=str(v1.id))
    state.set_mode("nonsense")
    assert state.mode == "side"
    assert state.choose("a", "not-in-the-stack") is None
    assert state.choose("a", str(v2.id)) is not None

    other = ready_version(s, title="Teaser")
    refused = compare_state(s.member.email, f"a={v1.id}&b={other.id}")
    assert not refused.ready and "same deliverable" in refused.error
    stranger = make_studio()
    hidden = compare_state(stranger.member.email, f"a={v1.id}&b={v2.id}")
    assert not hidden.ready and "not available" in hidden.error


def test_show_earlier_comments_toggle() -> None:
    s = make_studio()
    v1, v2 = ready_version(s, duration=20), ready_version(s, duration=20)
    old = asset_state(s.member.email, str(v1.id))
    old.post_comment({"body": "Logo", "timecode": "2"})
    state = asset_state(s.member.email, str(v2.id))
    assert [v.label for v in state.earlier_versions] == ["v1"] and state.comments == []
    state.show_earlier(str(v1.id), True)
    assert [(c.body, c.version_label) for c in state.comments] == [("Logo", "v1")]
    state.resolve(state.comments[0].id, True)
    assert state.comment_error == "" and state.comments[0].resolved
    state.show_earlier(str(v1.id), False)
    assert state.comments == [] and state.with_earlier == []
    assert old.earlier_versions == []
