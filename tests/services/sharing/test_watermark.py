"""Issue 7 on the client page: guest drawings (validated by the same service, refused on another
version), the watermark's text, playback-grant renewal, and the burned-in download."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pytest
from sqlalchemy import func, select

from portal.db import tenant_session
from portal.integrations.media_local import ffmpeg
from portal.models import Comment, ShareLink
from portal.services.core.errors import InvalidInput, PermissionDenied
from portal.services.media.processing import process_asset
from portal.services.sharing import access as share_access
from portal.services.sharing.grants import granted_asset, make_grant, renewed
from portal.services.sharing.guests import add_guest_comment, guest_drawings
from portal.services.sharing.links import revoke_share_link, set_link_options
from portal.services.sharing.watermark import (
    burn_text,
    make_rendition,
    overlay_text,
    ready_rendition,
    rendition_path,
)
from tests.factories import Studio
from tests.media_support import store
from tests.share_support import make_link, ready_asset, shared

pytestmark = pytest.mark.usefixtures("database")
ARROW = {"v": 1, "shapes": [{"type": "arrow", "color": "red", "points": [[0.2, 0.3], [0.6, 0.7]]}]}


def comments_on(studio: Studio, asset_id) -> int:
    with tenant_session(studio.member_ctx) as session:
        query = select(func.count()).select_from(Comment).where(Comment.parent_id == asset_id)
        return session.scalar(query)


def guest_comment(info, **kw):
    base = {"name": "Ann", "email": "ann@client.example", "body": "Here", "timecode": "1.2"}
    return add_guest_comment(info=info, **{**base, **kw})


def test_guest_drawing_round_trip_shows_only_this_links_drawings(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    other = make_link(studio, s.asset, allow_comments=True)
    info = share_access.lookup(s.token)
    label = {"type": "text", "color": "white", "points": [[0.1, 0.8]], "text": "<script>x</script>"}
    drawing = {"v": 1, "shapes": [*ARROW["shapes"], label]}
    guest_comment(info, annotation=json.dumps(drawing), asset_id=str(s.asset.id))
    guest_comment(share_access.lookup(other.url.rsplit("/", 1)[1]), annotation=ARROW)
    marks = guest_drawings(info=info)
    assert len(marks) == 1 and marks[0].frame == 30  # 1.2 s at 25 fps
    assert marks[0].shapes[0]["points"] == [[0.2, 0.3], [0.6, 0.7]]
    assert marks[0].shapes[1]["text"] == "<script>x</script>"  # text, drawn with textContent


@pytest.mark.parametrize(
    "annotation",
    [
        '{"v": 1, "shapes": [{"type": "arrow", "color": "red", "points": [[2, 0], [0, 0]]}]}',
        '{"v": 1, "shapes": [{"type": "laser", "color": "red", "points": [[0, 0]]}]}',
        "{not json",
        json.dumps({"v": 1, "shapes": [ARROW["shapes"][0]] * 51}),
    ],
)
def test_malformed_guest_drawings_are_refused_and_nothing_stored(studio, annotation) -> None:
    s = shared(studio, allow_comments=True)
    with pytest.raises(InvalidInput, match="The drawing cannot be saved"):
        guest_comment(share_access.lookup(s.token), annotation=annotation)
    assert comments_on(studio, s.asset.id) == 0


def test_drawing_on_a_version_the_link_does_not_grant_is_refused(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    other = ready_asset(studio, title="Other cut")
    info = share_access.lookup(s.token)
    for wrong in (str(other.id), str(uuid.uuid4()), "not-an-id"):
        with pytest.raises(PermissionDenied, match="does not give access to that version"):
            guest_comment(info, annotation=ARROW, asset_id=wrong)
    assert comments_on(studio, s.asset.id) == 0 and comments_on(studio, other.id) == 0


def test_drawing_refused_when_the_link_does_not_allow_comments(studio: Studio) -> None:
    s = shared(studio)
    with pytest.raises(PermissionDenied, match="not open"):
        guest_comment(share_access.lookup(s.token), annotation=ARROW)
    assert comments_on(studio, s.asset.id) == 0


def test_overlay_text_names_the_viewer_or_guest() -> None:
    from datetime import date

    day = date(2026, 11, 25)
    assert overlay_text(viewer="", link_name="Legal", today=day) == "Guest · Legal · 25 Nov 2026"
    text = overlay_text(viewer="  <b>Ann</b>\n x ", link_name="", today=day)
    assert text == "<b>Ann</b> x · Shared link · 25 Nov 2026"


def test_renewal_keeps_playback_after_expiry_for_the_same_link_only(studio: Studio) -> None:
    s, other = shared(studio), shared(studio)
    opened = share_access.open_link(token=s.token)
    ids = {"link_id": opened.link_id, "tenant_id": opened.tenant_id, "asset_id": opened.asset_id}
    old = make_grant(**ids, now=time.time() - 7200)
    assert granted_asset(old) is None
    fresh = make_grant(**ids)
    assert granted_asset(old, fresh) is not None
    theirs = share_access.open_link(token=other.token).grant
    assert granted_asset(old, theirs) is None  # another link's grant renews nothing
    assert renewed(old, old) is None  # an expired renewal neither
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
    assert granted_asset(old, fresh) is None and granted_asset(fresh) is None


def test_link_options_are_editable_until_revoked(studio: Studio) -> None:
    s = shared(studio)
    with tenant_session(studio.member_ctx) as session:
        set_link_options(
            session=session,
            link_id=s.link.id,
            allow_comments=True,
            allow_download=False,
            watermark=True,
        )
    info = share_access.lookup(s.token)
    assert info.allow_comments and info.watermark and not info.allow_download
    with tenant_session(studio.member_ctx) as session:
        revoke_share_link(session=session, link_id=s.link.id)
        with pytest.raises(InvalidInput, match="revoked"):
            set_link_options(
                session=session,
                link_id=s.link.id,
                allow_comments=False,
                allow_download=False,
                watermark=False,
            )


def frame_png(path, seconds: float = 0.5) -> bytes:
    args = [ffmpeg(), "-v", "error", "-ss", str(seconds), "-i", str(path), "-frames:v", "1"]
    args += ["-f", "rawvideo", "-pix_fmt", "gray", "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout


def test_rendition_burns_the_text_in_and_is_cached_per_text(studio, media_dir, clips) -> None:
    from portal.services.media.assets import accept_upload
    from portal.services.media.storage import source_path

    asset = accept_upload(
        ctx=studio.admin_ctx,
        project_id=studio.project.id,
        title="Hero",
        stored=store(clips["with_audio.mp4"]),
    )
    process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)
    link = make_link(studio, asset, name="Legal", allow_download=True, watermark=True)
    link_id = uuid.UUID(link.id)
    assert make_rendition(link_id=link_id, tenant_id=asset.tenant_id)["outcome"] == "made"
    with tenant_session(studio.member_ctx) as session:
        row = session.get(ShareLink, link_id)
        made = ready_rendition(session, row)
        text = burn_text(row, studio.agency.name)
    assert made is not None and made == rendition_path(row, text)
    master = source_path(asset.tenant_id, asset.id)
    assert made.read_bytes() != master.read_bytes()
    clean, marked = frame_png(master), frame_png(made)
    assert len(clean) == len(marked) == 320 * 180
    # The first copy of the text sits near the top left: pixels differ there.
    top = [i for i in range(320 * 50) if abs(clean[i] - marked[i]) > 40]
    assert len(top) > 100
    assert make_rendition(link_id=link_id, tenant_id=asset.tenant_id)["outcome"] == "cached"
    with tenant_session(studio.member_ctx) as session:
        row = session.get(ShareLink, link_id)
        row.name = "Legal v2"
        session.add(row)
    assert make_rendition(link_id=link_id, tenant_id=asset.tenant_id)["outcome"] == "made"
    assert not made.exists()  # the old text's copy is gone


def test_share_panel_says_the_overlay_deters_but_does_not_protect() -> None:
    import re

    from portal.components.share import WATERMARK_LIMIT, project_share_links, share_panel

    assert WATERMARK_LIMIT == (
        "The watermark is drawn over the player: it deters casual copying but a determined "
        "viewer can still record the stream. The original file is never served."
    )
    panel, project = str(share_panel()), str(project_share_links())
    # Beside the create form's Watermark box, and on each link row whose watermark is on.
    assert panel.count(WATERMARK_LIMIT) == 2
    on_row = re.escape('["watermark"]?(jsx(Fragment,{},jsx(RadixThemesText,')
    assert re.search(on_row + r"[^)]*\)?,?\"" + re.escape(WATERMARK_LIMIT), panel)
    assert re.search(on_row + r"[^)]*\)?,?\"" + re.escape(WATERMARK_LIMIT), project)
