"""The project page's direct-to-Mux upload handlers against the fake Mux server: the upload URL
goes only to the browser call, bad files and Mux failures leave nothing, a cancel discards."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from portal.db import tenant_session
from portal.models import Asset
from portal.services.media.mux_uploads import discard_mux_upload, start_mux_upload
from portal.state.asset_upload import CANCELLED, DIRECT_DONE, UploadState
from tests.aio import run
from tests.factories import Studio, make_studio
from tests.fake_mux import FakeMux
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")


def _state(email: str, project_id: str) -> UploadState:
    url = f"http://localhost:3000/project?id={project_id}"
    state = make_state(UploadState, cookie=signed_in_cookie(email), url=url)
    state.load()
    return state


def _start(state: UploadState, chosen: dict | None):
    return run(state.start_direct(chosen))


def _script(event) -> str:
    return str({k._js_expr: v for k, v in event.args}["javascript_code"])


def _assets(s: Studio) -> list[Asset]:
    with tenant_session(s.admin_ctx) as session:
        return list(session.exec(select(Asset).where(Asset.project_id == s.project.id)).all())


def _public_vars(state: UploadState) -> str:
    return json.dumps(state.dict(), default=str)


def test_direct_upload_hands_the_url_to_the_script_only(fake_mux: FakeMux) -> None:
    s = make_studio()
    state = _state(s.admin.email, str(s.project.id))
    assert state.direct_upload and state.can_upload
    state.set_title("Teaser")
    event = _start(state, {"name": "teaser.mov", "size": 2_000_000})
    upload_id, upload = next(iter(fake_mux.uploads.items()))
    url = f"{fake_mux.url}/upload/{upload_id}"
    assert url in _script(event) and "portalMuxUpload.send" in _script(event)
    assert upload["cors_origin"] == "http://localhost:3000"
    # The single-use URL is in no state var the browser receives.
    assert upload_id not in _public_vars(state)
    assert state.uploading and state.upload_error == ""
    [asset] = _assets(s)
    assert (asset.status, asset.backend, asset.size_bytes) == ("uploading", "mux", 2_000_000)
    assert state._direct_asset_id == str(asset.id)

    state.direct_report({"kind": "progress", "value": "42"})
    assert state.progress == 42
    state.direct_report({"kind": "done", "value": ""})
    assert not state.uploading and state.upload_notice == DIRECT_DONE
    assert state._direct_asset_id == ""
    assert [d.status for d in state.deliverables] == ["uploading"]
    # A second report for the same upload does nothing.
    state.direct_report({"kind": "cancelled", "value": ""})
    assert [a.status for a in _assets(s)] == ["uploading"]


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ({"name": "notes.pdf", "size": 1000}, "is not a video type"),
        ({"name": "../clip.mp4", "size": 1000}, "may not contain folders"),
        ({"name": "clip.mp4", "size": 0}, "empty"),
        ({"name": "clip.mp4", "size": 10 * 1024**4}, "larger than the limit"),
        ({"name": "clip.mp4", "size": "lots"}, "size is unknown"),
        (None, "Choose a video file"),
    ],
)
def test_bad_files_are_refused_before_mux_is_asked(fake_mux: FakeMux, chosen, message) -> None:
    s = make_studio()
    state = _state(s.admin.email, str(s.project.id))
    state.set_title("Teaser")
    assert _start(state, chosen) is None
    assert message in state.upload_error and not state.uploading
    assert fake_mux.requests == [] and _assets(s) == []


def test_mux_failing_gives_a_clear_message_and_no_row(fake_mux: FakeMux) -> None:
    s = make_studio()
    state = _state(s.admin.email, str(s.project.id))
    state.set_title("Teaser")
    fake_mux.mode = "error"
    assert _start(state, {"name": "teaser.mp4", "size": 5000}) is None
    assert state.upload_error == "Mux refused the upload (HTTP 500). Please try again."
    assert not state.uploading and _assets(s) == []


def test_members_cannot_start_uploads(fake_mux: FakeMux) -> None:
    s = make_studio()
    state = _state(s.member.email, str(s.project.id))
    state.set_title("Teaser")
    assert _start(state, {"name": "teaser.mp4", "size": 5000}) is None
    assert state.upload_error == "You do not have permission to do that."
    assert fake_mux.requests == [] and _assets(s) == []


@pytest.mark.parametrize("kind", ["cancelled", "failed"])
def test_cancel_or_failure_discards_the_version(fake_mux: FakeMux, kind: str) -> None:
    s = make_studio()
    state = _state(s.admin.email, str(s.project.id))
    state.set_title("Teaser")
    _start(state, {"name": "teaser.mp4", "size": 5000})
    assert [d.status for d in state.deliverables] == ["uploading"]
    state.direct_report({"kind": kind, "value": "the connection to Mux failed"})
    [asset] = _assets(s)
    assert asset.status == "deleted"
    failed = "The upload to Mux failed: the connection to Mux failed"
    assert asset.error_reason == (CANCELLED if kind == "cancelled" else failed)
    assert state.upload_error == asset.error_reason and not state.uploading
    # Not a deliverable any more, and Mux's URL is closed.
    assert state.deliverables == []
    assert next(iter(fake_mux.uploads.values()))["status"] == "cancelled"
    # The next upload gets a fresh version.
    assert _start(state, {"name": "teaser.mp4", "size": 5000}) is not None


def test_only_the_uploaders_waiting_mux_upload_is_discarded(fake_mux: FakeMux) -> None:
    s = make_studio()
    upload = start_mux_upload(
        ctx=s.admin_ctx,
        project_id=s.project.id,
        title="Teaser",
        filename="t.mp4",
        size=10,
        cors_origin="http://localhost:3000",
    )
    other = make_studio()
    assert not discard_mux_upload(ctx=other.admin_ctx, asset_id=upload.asset_id, reason="x")
    with tenant_session(s.admin_ctx) as session:
        session.get(Asset, upload.asset_id).status = "processing"
    assert not discard_mux_upload(ctx=s.admin_ctx, asset_id=upload.asset_id, reason="x")
    assert [a.status for a in _assets(s)] == ["processing"]
