"""The Mux backend against a local fake Mux API: direct upload creation, webhook-driven status,
MP4 backfill (the media route's signed playback redirects: tests/api/test_media_api.py)."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from portal.db import tenant_session
from portal.models import Asset
from portal.services.core.errors import MuxUnavailable
from portal.services.media.assets import get_asset
from portal.services.media.mux_events import handle_mux_event
from portal.services.media.mux_uploads import backfill_mp4, start_mux_upload
from tests.factories import Studio
from tests.fake_mux import FakeMux
from tests.webhook_support import mux_event

pytestmark = pytest.mark.usefixtures("database")
ORIGIN = "http://localhost:3000"


def start(studio: Studio, title: str = "Teaser"):
    return start_mux_upload(
        ctx=studio.admin_ctx,
        project_id=studio.project.id,
        title=title,
        filename="teaser.mov",
        cors_origin=ORIGIN,
    )


def apply(payload: dict) -> None:
    with tenant_session(None) as session:
        handle_mux_event(session=session, payload=payload)


def test_direct_upload_then_webhooks_make_the_version_ready_for_signed_playback(
    studio: Studio, fake_mux: FakeMux
) -> None:
    upload = start(studio)
    assert upload.upload_url.startswith(fake_mux.url + "/upload/")
    sent = fake_mux.requests[-1]["body"]
    assert sent["cors_origin"] == ORIGIN
    assert sent["new_asset_settings"]["passthrough"] == upload.asset_id
    assert sent["new_asset_settings"]["playback_policy"] == ["signed"]
    # A downloadable MP4 for share links, asked for the current way (never with mp4_support).
    assert sent["new_asset_settings"]["static_renditions"] == [{"resolution": "highest"}]
    assert "mp4_support" not in sent["new_asset_settings"]
    with tenant_session(studio.admin_ctx) as session:
        asset = get_asset(session=session, asset_id=upload.asset_id)
        assert (asset.status, asset.backend, asset.version) == ("uploading", "mux", 1)
        assert asset.mux_upload_id

    apply(mux_event("video.upload.asset_created", asset_id=asset.id, mux_id="mux-asset-1"))
    playback = [{"id": "signedPlayback123", "policy": "signed"}]
    apply(
        mux_event(
            "video.asset.ready",
            asset_id=asset.id,
            mux_id="mux-asset-1",
            duration=12.5,
            playback_ids=playback,
        )
    )
    with tenant_session(studio.admin_ctx) as session:
        ready = session.get(Asset, asset.id)
    assert (ready.status, ready.mux_asset_id, ready.mux_playback_id) == (
        "ready",
        "mux-asset-1",
        "signedPlayback123",
    )

    # The media route's signed redirects: tests/api/test_media_api.py.


@pytest.mark.parametrize("mode", ["error", "slow"])
def test_mux_errors_and_timeouts_leave_no_row(studio: Studio, fake_mux: FakeMux, mode) -> None:
    fake_mux.mode = mode
    with pytest.raises(MuxUnavailable):
        start(studio, title=f"Refused {mode}")
    with tenant_session(studio.admin_ctx) as session:
        assert session.query(Asset).filter_by(project_id=studio.project.id).count() == 0


def mux_versions(studio: Studio) -> dict[str, str]:
    """Four versions: two ready on Mux (one without an MP4, one with), one errored on Mux, one
    local. Returns label -> Mux asset id, each known to the fake as Mux would hold it."""
    from tests.share_support import move_to_mux, ready_asset

    tag = uuid.uuid4().hex[:8]
    ids = {}
    for label, status in (("old", "ready"), ("new", "ready"), ("broken", "errored")):
        asset = ready_asset(studio, title=label)
        ids[label] = move_to_mux(studio, asset, f"{label}{tag}", status=status).mux_asset_id
    ready_asset(studio, title="local")
    return ids


def rendition_posts(fake: FakeMux) -> list[str]:
    return [r["path"] for r in fake.requests if r["path"].endswith("/static-renditions")]


def test_mp4_backfill_asks_once_for_ready_versions_without_one(
    studio: Studio, fake_mux: FakeMux
) -> None:
    ids = mux_versions(studio)
    highest = {"id": "r1", "type": "standard", "ext": "mp4", "status": "ready",
               "resolution": "highest", "name": "highest.mp4"}  # fmt: skip
    fake_mux.assets |= {ids["old"]: [], ids["new"]: [highest], ids["broken"]: []}
    first = backfill_mp4(tenant_ids=[studio.agency.id])
    assert (first.asked, first.had, first.failed) == ([ids["old"]], [ids["new"]], [])
    assert rendition_posts(fake_mux) == [f"/video/v1/assets/{ids['old']}/static-renditions"]
    assert fake_mux.assets[ids["old"]][0]["status"] == "preparing"
    again = backfill_mp4(tenant_ids=[studio.agency.id])
    assert (again.asked, sorted(again.had)) == ([], sorted([ids["old"], ids["new"]]))
    assert len(rendition_posts(fake_mux)) == 1  # a re-run asks nothing twice


def test_mp4_backfill_dry_run_and_refusals_ask_nothing(studio: Studio, fake_mux: FakeMux) -> None:
    ids = mux_versions(studio)
    fake_mux.assets |= {ids["old"]: []}  # "new" is unknown to Mux: 404
    dry = backfill_mp4(tenant_ids=[studio.agency.id], dry_run=True)
    assert dry.asked == [ids["old"]] and rendition_posts(fake_mux) == []
    assert dry.failed == [(ids["new"], "Mux refused to describe the asset (HTTP 404).")]
    fake_mux.mode = "error"
    refused = backfill_mp4(tenant_ids=[studio.agency.id])
    assert refused.asked == [] and len(refused.failed) == 2
    assert refused.failed[0] == (ids["old"], "Mux refused the MP4 rendition (HTTP 500).")
    assert fake_mux.assets[ids["old"]] == []


def test_portal_mux_backfill_mp4_command(
    studio: Studio, fake_mux: FakeMux, capsys: pytest.CaptureFixture[str]
) -> None:
    from portal.cli import main
    from portal.cli_mux import _tenants
    from portal.models import JobRun

    ids = mux_versions(studio)
    fake_mux.assets |= {ids["old"]: [], ids["new"]: []}
    assert studio.agency.id in _tenants(None)  # without --tenant: every tenant
    with pytest.raises(SystemExit) as done:
        main(["mux", "backfill-mp4", "--tenant", str(studio.agency.id)])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert f"asked     {ids['old']}" in out and f"asked     {ids['new']}" in out
    assert out.strip().endswith("MP4 backfill: asked 2, already had 0, failed 0")
    with tenant_session(None) as session:
        run = session.exec(
            select(JobRun)
            .where(JobRun.job_name == "mux_backfill_mp4")
            .order_by(JobRun.started_at.desc())
        ).first()
    assert run.result == "succeeded" and run.meta["asked"] == 2
    with pytest.raises(SystemExit) as bad:
        main(["mux", "backfill-mp4", "--tenant", "not-a-tenant"])
    assert bad.value.code == 2
    assert "--tenant must be a tenant id" in capsys.readouterr().err


def test_mp4_backfill_needs_mux_configured(capsys, monkeypatch) -> None:
    from portal.cli import main
    from portal.settings import get_settings

    monkeypatch.setattr(get_settings(), "mux_token_id", None)

    with pytest.raises(SystemExit) as done:
        main(["mux", "backfill-mp4"])
    assert done.value.code == 2
    assert "Mux is not configured" in capsys.readouterr().err
