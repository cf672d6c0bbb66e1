"""The PDF review report, read back with pypdf: a cover and one page per thread, each with one
image — the frame grab at the comment's time with its drawing visible in the extracted pixels —
from the local backend (ffmpeg on the stored original) and from Mux (the image API, served by
the fake Mux with the time in the signed token). Kept per fingerprint; remade on any change."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
import uuid

import pytest
from PIL import Image
from pypdf import PdfReader

from portal.db import tenant_session
from portal.integrations.media_local import ffmpeg, grab_frame
from portal.services.media.assets import accept_upload
from portal.services.media.comments import add_asset_comment
from portal.services.media.exports import comment_export
from portal.services.media.exports_report import (
    KEEP_RECENT_SECONDS,
    make_report,
    make_report_job,
    report_path,
)
from portal.services.media.frame_grabs import grab_time, mux_time
from portal.services.media.processing import process_asset
from portal.services.media.storage import asset_dir
from portal.services.sharing import access
from portal.services.sharing.decisions import record_decision
from tests.factories import Studio
from tests.fake_mux import FakeMux
from tests.media_support import store
from tests.share_support import move_to_mux, ready_asset, shared

pytestmark = pytest.mark.usefixtures("database")
BOX = ((0.1, 0.1), (0.5, 0.5))
DRAWING = {"v": 1, "shapes": [{"type": "rect", "color": "red", "points": [list(p) for p in BOX]}]}


def comment(studio: Studio, asset, body: str, at: str, drawing=None, reply_to=None):  # type: ignore[no-untyped-def]
    with tenant_session(studio.member_ctx) as session:
        return add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body=body,
            timecode=None if reply_to else at,
            annotation=drawing,
            reply_to_id=reply_to,
        )


def export_of(studio: Studio, asset):  # type: ignore[no-untyped-def]
    with tenant_session(studio.member_ctx) as session:
        return comment_export(session=session, asset_id=asset.id)


def pictures(path) -> list[list[Image.Image]]:  # type: ignore[no-untyped-def]
    reader = PdfReader(path)
    return [[Image.open(io.BytesIO(i.data)).convert("RGB") for i in p.images] for p in reader.pages]


def red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 170 and r > g + 70 and r > b + 70  # #ff3b30 after JPEG


def outline_is_red(picture: Image.Image) -> bool:
    """Points all along the drawn rectangle's edges (the middle of its 4-pixel stroke, which
    lies inside the box) are the drawing's red."""
    w, h = picture.size
    (x0, y0), (x1, y1) = ((x * w + 2, y * h + 2) for x, y in BOX)
    x1, y1 = x1 - 4, y1 - 4
    points = [(x0 + (x1 - x0) * t / 10, y) for t in range(1, 10) for y in (y0, y1)]
    points += [(x, y0 + (y1 - y0) * t / 10) for t in range(1, 10) for x in (x0, x1)]
    return all(red(picture.getpixel((round(x), round(y)))) for x, y in points)


def test_local_report_has_a_grab_per_thread_with_the_drawing(
    studio: Studio, clips, media_dir
) -> None:
    asset = accept_upload(
        ctx=studio.admin_ctx,
        project_id=studio.project.id,
        title="Report spot",
        stored=store(clips["with_audio.mp4"]),
    )
    assert process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)["status"] == "ready"
    first = comment(studio, asset, "Logo too small", "0.4", DRAWING)
    comment(studio, asset, "Sting late — «fix»", "0.8")
    comment(studio, asset, "Agreed", "", reply_to=first.id)
    export = export_of(studio, asset)

    path = make_report(export)
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    for expected in ("Review report", "Report spot v1", "In review", "00:00:00:10", "00:00:00:20"):
        assert expected in text
    assert "Sam Member" in text and "Reply from Sam Member: Agreed" in text and "«fix»" in text
    cover, *threads = pictures(path)
    assert cover == [] and [len(images) for images in threads] == [1, 1]
    drawn, plain = threads[0][0], threads[1][0]
    assert drawn.size == (960, 540)
    assert outline_is_red(drawn) and not outline_is_red(plain)

    # Kept: the same report is not made twice; a change makes a new one and drops the old
    # (once it is older than a request could still be sending it).
    assert make_report(export_of(studio, asset)) == path
    comment(studio, asset, "One more", "0.1")
    assert not report_path(export_of(studio, asset)).is_file()
    assert make_report_job(asset_id=asset.id, tenant_id=asset.tenant_id)["threads"] == 3
    assert report_path(export_of(studio, asset)).is_file() and path.exists()
    long_ago = time.time() - KEEP_RECENT_SECONDS - 1
    os.utime(path, (long_ago, long_ago))
    comment(studio, asset, "And one more", "0.2")
    assert make_report_job(asset_id=asset.id, tenant_id=asset.tenant_id)["threads"] == 4
    assert not path.exists() and len(list(path.parent.glob("report-*.pdf"))) == 2


def test_the_grab_is_the_frame_the_comment_is_on(studio: Studio, clips, media_dir) -> None:
    """ffmpeg keeps the first frame at or after the seek: half a frame early is that frame,
    byte for byte the frame ffmpeg's own frame counter picks."""
    asset = ready_asset(studio)
    folder = asset_dir(asset.tenant_id, asset.id)
    folder.mkdir(parents=True)
    shutil.copy(clips["with_audio.mp4"], folder / "source.mp4")
    export = export_of(studio, asset)
    for frame in (0, 7, 19):
        got = grab_frame(folder / "source.mp4", grab_time(export, frame / 25), width=320)
        select = ["-vf", f"select=eq(n\\,{frame}),scale=320:-2", "-frames:v", "1"]
        expected = subprocess.run(
            [ffmpeg(), "-v", "error", "-i", str(folder / "source.mp4"), *select]
            + ["-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "-"],
            capture_output=True,
            check=True,
        ).stdout
        assert got == expected, frame


def test_mux_report_uses_the_image_api_with_the_time_signed(
    studio: Studio, fake_mux: FakeMux, media_dir
) -> None:
    asset = move_to_mux(studio, ready_asset(studio), "signedPlayback123")
    comment(studio, asset, "Too dark", "2.5", DRAWING)
    comment(studio, asset, "Cut here", "7")
    export = export_of(studio, asset)
    path = make_report(export)
    # Two grabs run at once: the order they reach Mux in is not fixed.
    assert sorted((c["time"], c["width"], c["sub"]) for c in fake_mux.thumbnails) == [
        (mux_time(export, 2.5), 960, "signedPlayback123"),
        (mux_time(export, 7.0), 960, "signedPlayback123"),
    ]
    _, (drawn,), (plain,) = pictures(path)
    assert outline_is_red(drawn) and not outline_is_red(plain)
    r, g, b = plain.getpixel((480, 270))
    assert abs(r - 20) < 12 and abs(g - 40) < 12 and abs(b - 90) < 12  # the fake's frame

    # Mux not answering: the page still has its picture (grey, saying so) and the drawing.
    fake_mux.mode = "error"
    comment(studio, asset, "Later", "9", DRAWING)
    *_, (grey,) = pictures(make_report(export_of(studio, asset)))
    assert outline_is_red(grey) and grey.getpixel((900, 500)) == pytest.approx((90, 90, 90), abs=6)


def test_report_cover_has_the_studio_approval_and_client_decisions(
    studio: Studio, media_dir
) -> None:
    s = shared(studio, ask_decision=True, name="For legal")
    client = {"name": "Jane Client", "email": "jane@client.test"}
    for decision, note in (("changes_requested", "Louder VO"), ("approved", "Lovely")):
        record_decision(
            info=access.lookup(s.token),
            decision=decision,
            note=note,
            request_key=uuid.uuid4(),
            **client,
        )
    export = export_of(studio, s.asset)
    assert len(export.client_decisions) == 1  # the client's latest on that link
    assert export.client_decisions[0].startswith("Approved by Jane Client via “For legal” · ")
    assert export.client_decisions[0].endswith(": Lovely")
    text = PdfReader(make_report(export)).pages[0].extract_text()
    assert "Studio approval: In review" in text and "Approved by Jane Client via" in text
    assert "jane@client.test" not in text and "0 threads (0 open), 0 replies" in text
