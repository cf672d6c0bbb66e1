"""Asset page and upload handlers without a browser: permissions re-checked on the server,
another tenant's ids refused, a cancelled upload leaves no file."""

from __future__ import annotations

import pytest

from portal.db import tenant_session
from portal.models import Asset, Comment
from portal.state import live
from portal.state.asset import AssetState
from portal.state.asset_upload import UploadState
from tests.factories import make_studio, ready_version
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def asset_state(email: str, asset_id: str, compare: str = "") -> AssetState:
    url = f"http://localhost:3000/asset?id={asset_id}&compare={compare}"
    state = make_state(AssetState, cookie=signed_in_cookie(email), url=url)
    state.load()
    return state


def test_member_reviews_comments_and_compares() -> None:
    s = make_studio()
    v1, v2 = ready_version(s, duration=20), ready_version(s, duration=20)
    state = asset_state(s.member.email, str(v1.id), compare=str(v2.id))
    assert state.asset.label == "v1" and not state.asset.is_latest and state.compare_label == "v2"
    assert state.src.endswith(f"/api/media/{v1.id}/hls/master.m3u8")
    state.toggle_compare()
    assert state.src.endswith(f"/api/media/{v2.id}/hls/master.m3u8")

    state.post_comment({"body": "Cut the pause", "timecode": "4.2"})
    assert state.comment_error == "" and state.comments[0].timecode == "00:00:04:05"
    state.set_reply_to(state.comments[0].id)
    state.post_comment({"body": "Done", "timecode": "9"})
    assert [c.is_reply for c in state.comments] == [False, True]
    state.resolve(state.comments[0].id, True)
    state.set_filter("open")
    assert state.comments == []
    state.set_filter("resolved")
    state.search({"q": "pause"})
    assert len(state.comments) == 2

    state.review("approved", False)
    assert "not the latest" in state.confirm_old and state.asset.review_status == "in_review"
    state.review("approved", True)
    assert state.asset.review_status == "approved" and state.asset.reviewed.startswith("Approved")


def test_only_the_decisions_the_review_state_allows_are_offered() -> None:
    s = make_studio()
    state = asset_state(s.member.email, str(ready_version(s, duration=20).id))
    assert state.decisions == ["approved", "changes_requested"]
    state.review("approved", False)
    assert state.asset.review_status == "approved" and state.decisions == ["in_review"]
    state.review("in_review", False)
    state.review("changes_requested", False)
    assert state.error == "" and state.decisions == ["approved", "in_review"]


def test_range_comment_round_trip_and_refusals() -> None:
    s = make_studio()
    asset = ready_version(s, duration=20)  # 20 s at 25 fps
    state = asset_state(s.member.email, str(asset.id))
    for end, message in [("3", "end after it starts"), ("4", "end after it starts")]:
        state.post_comment({"body": "Too short", "timecode": "4", "end": end})
        assert message in state.comment_error
    state.post_comment({"body": "Past the end", "timecode": "4", "end": "20.5"})
    assert "out point is outside the video (0 to 20 seconds)" in state.comment_error
    assert state.comments == []  # nothing half-written

    script = state.post_comment({"body": "Hold the logo", "timecode": "4.2", "end": "6"})
    assert state.comment_error == "" and "clearRange" in str(script)
    (view,) = state.comments
    assert view.timecode == "00:00:04:05 – 00:00:06:00" and view.seconds == 4.2
    with tenant_session(s.member_ctx) as session:
        stored = session.get(Comment, view.id)
        assert stored is not None
        assert (stored.meta["timecode"], stored.meta["end"]) == (4.2, 6.0)
    # A reply carries no range of its own; an empty end is a single-frame comment.
    state.set_reply_to(view.id)
    state.post_comment({"body": "Agreed", "timecode": "9", "end": "12"})
    state.post_comment({"body": "One frame", "timecode": "1", "end": ""})
    assert [c.timecode for c in state.comments] == [
        "00:00:01:00",
        "00:00:04:05 – 00:00:06:00",
        "00:00:04:05",
    ]


def test_another_tenants_asset_is_refused_by_every_handler() -> None:
    victim, outsider = make_studio(), make_studio()
    asset = ready_version(victim, duration=20)
    state = asset_state(outsider.member.email, str(asset.id))
    assert state.asset.id == "" and "not available" in state.error and state.src == ""
    state.asset_id = str(asset.id)  # a crafted client sets any id it likes
    state.post_comment({"body": "hi", "timecode": "1"})
    assert "not available" in state.comment_error
    state.review("approved", True)
    assert "not available" in state.error
    with tenant_session(victim.admin_ctx) as session:
        assert session.query(Comment).filter_by(parent_id=asset.id).count() == 0
        assert session.get(Asset, asset.id).review_status == "in_review"

    upload = make_state(
        UploadState,
        cookie=signed_in_cookie(outsider.admin.email),
        url=f"http://localhost:3000/project?id={victim.project.id}",
    )
    upload.load()
    assert upload.deliverables == []


def test_members_cannot_upload() -> None:
    s = make_studio()
    ready_version(s, duration=20)
    state = make_state(
        UploadState,
        cookie=signed_in_cookie(s.member.email),
        url=f"http://localhost:3000/project?id={s.project.id}",
    )
    state.load()
    assert [d.latest_label for d in state.deliverables] == ["v1"] and not state.can_upload


def test_post_comment_with_a_drawing_and_refusals() -> None:
    s = make_studio()
    asset = ready_version(s, duration=20)
    state = asset_state(s.member.email, str(asset.id))
    arrow = '{"v":1,"shapes":[{"type":"arrow","color":"red","points":[[0.2,0.2],[0.5,0.6]]}]}'
    bad = arrow.replace("arrow", "star")
    state.post_comment({"body": "Logo", "timecode": "2", "annotation": bad})
    assert "unknown shape type 'star'" in state.comment_error and state.comments == []
    assert state.drawings == "[]"
    state.post_comment({"body": "Logo", "timecode": "2", "annotation": {"v": 1, "shapes": 5}})
    assert "'shapes' must be a list" in state.comment_error and state.comments == []

    clear = state.post_comment({"body": "Logo", "timecode": "2", "annotation": arrow})
    assert state.comment_error == "" and state.comments[0].has_drawing
    assert clear is not None  # the browser's draft is cleared once saved
    assert '"type":"arrow"' in state.drawings and '"frame":50' in state.drawings
    with tenant_session(s.admin_ctx) as session:
        assert session.query(Comment).filter_by(parent_id=asset.id).count() == 1


def test_tus_reports_drive_the_guard_the_table_and_the_asset_page() -> None:
    """What assets/tus_upload.js reports: running or not (the leave guard), a message, and a
    finished version (the table refreshes; a single file's page opens)."""
    s = make_studio()
    state = make_state(
        UploadState,
        cookie=signed_in_cookie(s.admin.email),
        url=f"http://localhost:3000/project?id={s.project.id}",
    )
    state.load()
    assert state.can_upload and state.deliverables == []
    state.tus_report({"kind": "started", "value": ""})
    assert state.uploading
    state.tus_report({"kind": "failed", "value": "That file is not a video."})
    assert state.upload_error == "That file is not a video."
    state.tus_report({"kind": "idle", "value": ""})
    assert not state.uploading
    asset = ready_version(s, duration=20)
    # The table's live loop runs (load started it): a finished upload starts no second one.
    loop = (f"deliverables:{s.project.id}", state.router.session.client_token)
    assert live.claim(*loop)
    try:
        assert state.tus_report({"kind": "done", "value": str(asset.id)}) is None
    finally:
        live.release(*loop)
    assert [d.latest_label for d in state.deliverables] == ["v1"]
    opened = state.tus_report({"kind": "done", "value": f"{asset.id}|go"})
    assert opened is not None and str(asset.id) in str(opened)
