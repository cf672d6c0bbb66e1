"""Comment exports on the real database: what is exported (RLS-scoped), the CSV (timecodes, out
points, formula injection neutralised), and the edit-suite files read back by OpenTimelineIO's
own readers with the same markers at the same frames (25, 29.97 and 23.976 fps)."""

from __future__ import annotations

import csv
import io

import opentimelineio as otio
import pytest

from portal.db import tenant_session
from portal.services.core.errors import NotFound
from portal.services.media.comments import add_asset_comment, set_resolved
from portal.services.media.exports import CSV_HEADER, comment_export, comments_csv, file_name
from portal.services.media.exports_edit import comments_edl, comments_fcp_xml
from portal.services.media.review import decide
from portal.services.media.timecode import format_timecode
from tests.factories import Studio, make_studio, ready_version

pytestmark = pytest.mark.usefixtures("database")
# The rates an edit suite reads an EDL at (NTSC rates exactly).
READ_RATE = {"25": 25.0, "29.97": 30000 / 1001, "23.976": 24000 / 1001}
DRAWING = {"v": 1, "shapes": [{"type": "rect", "color": "red", "points": [[0.1, 0.1], [0.4, 0.4]]}]}


def commented(studio: Studio, fps: str = "25", duration: str = "700"):
    """A version with a frame comment (resolved, with a reply), a range comment and a comment
    whose text and author would run as spreadsheet formulas."""
    asset = ready_version(studio, fps=fps, duration=duration)
    with tenant_session(studio.member_ctx) as session:
        first = add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="Logo too small,\nmake it bigger",
            timecode="1.5",
            annotation=DRAWING,
        )
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body='=HYPERLINK("http://evil.example","x")',
            timecode="612.34",
        )
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="Colour dips here",
            timecode="10",
            end="12.52",
        )
        add_asset_comment(
            session=session,
            asset_id=asset.id,
            author_id=studio.member.id,
            body="@Ada agreed",
            reply_to_id=first.id,
        )
        set_resolved(session=session, comment_id=first.id, user_id=studio.member.id, resolved=True)
    return asset


def export_of(studio: Studio, asset):
    with tenant_session(studio.member_ctx) as session:
        return comment_export(session=session, asset_id=asset.id)


def test_export_lists_threads_in_timecode_order_with_replies(studio: Studio) -> None:
    export = export_of(studio, commented(studio))
    assert export.name == "Hero film v1" and export.fps == 25
    assert [(c.thread, c.is_reply, c.seconds) for c in export.comments] == [
        (1, False, 1.5),
        (1, True, 1.5),
        (2, False, 10.0),
        (3, False, 612.34),
    ]
    assert export.comments[0].drawing == DRAWING and export.comments[1].drawing is None
    assert export.comments[0].resolved and export.comments[1].resolved
    assert export.comments[2].end == 12.52
    assert file_name(export, "comments.csv") == "Hero film v1 comments.csv"
    assert (export.review_label, export.reviewed) == ("In review", "")


def test_export_carries_the_studio_approval(studio: Studio) -> None:
    asset = ready_version(studio)
    with tenant_session(studio.admin_ctx) as session:
        decide(session=session, asset_id=asset.id, user_id=studio.admin.id, decision="approved")
    export = export_of(studio, asset)
    assert export.review_label == "Approved"
    # Names as the asset page shows them: the studio's people are not the agency's to read (RLS).
    assert export.reviewed.startswith("Approved by someone · ")
    with tenant_session(studio.admin_ctx) as session:
        own = comment_export(session=session, asset_id=asset.id)
    assert own.reviewed.startswith("Approved by Ada Admin · ")


def test_another_tenant_and_bad_ids_read_as_not_found(studio: Studio) -> None:
    asset = commented(studio)
    other = make_studio()
    for ctx, asset_id in (
        (other.member_ctx, asset.id),
        (other.admin_ctx, asset.id),
        (studio.member_ctx, "not-a-uuid"),
        (studio.member_ctx, ""),
    ):
        with pytest.raises(NotFound), tenant_session(ctx) as session:
            comment_export(session=session, asset_id=asset_id)
    assert len(export_of(studio, asset).comments) == 4  # the studio's admin scope sees it


def test_csv_has_timecodes_out_points_and_no_formulas(studio: Studio) -> None:
    text = comments_csv(export_of(studio, commented(studio)))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == CSV_HEADER
    first, reply, ranged, formula = rows[1:]
    assert first[:7] == ["1", "", "00:00:01:12", "", "Sam Member", first[5], "yes"]
    assert first[5] == "Logo too small,\nmake it bigger"
    assert reply[1] == "yes" and reply[2] == "00:00:01:12" and reply[5] == "'@Ada agreed"
    assert ranged[2:4] == ["00:00:10:00", "00:00:12:13"] and ranged[6] == "no"
    assert formula[2] == "00:10:12:08" and formula[5].startswith("'=HYPERLINK")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert len(first[7]) == 19  # YYYY-MM-DD HH:MM:SS (UTC)


@pytest.mark.parametrize("fps", ["25", "29.97", "23.976"])
def test_edl_reads_back_with_the_same_locators_and_frames(studio: Studio, fps: str) -> None:
    export = export_of(studio, commented(studio, fps=fps))
    edl = comments_edl(export)
    assert "FCM: NON-DROP FRAME" in edl and ";" not in edl
    timeline = otio.adapters.read_from_string(edl, "cmx_3600", rate=READ_RATE[fps])
    (clip,) = timeline.tracks[0]
    got = [(m.marked_range.start_time.to_frames(), m.name, m.color) for m in clip.markers]
    expected = []
    for c in export.roots():
        label = format_timecode(c.seconds, float(fps))
        assert f"* LOC: {label} " in edl  # the review page's timecode, frame for frame
        expected.append((export.frame(c.seconds), c.resolved))
    assert [(frame, color == "GREEN") for frame, _, color in got] == expected
    assert got[0][1] == "SAM MEMBER: LOGO TOO SMALL, MAKE IT BIGGER"  # one line per locator
    assert got[1][1].endswith(f"(TO {export.timecode(12.52)})")
    assert got[2][0] == export.frame(612.34) and export.frame(612.34) > 14000


@pytest.mark.parametrize("fps", ["25", "29.97", "23.976"])
def test_fcp_xml_reads_back_with_sequence_markers_in_and_out(studio: Studio, fps: str) -> None:
    export = export_of(studio, commented(studio, fps=fps))
    xml = comments_fcp_xml(export)
    assert ("<ntsc>TRUE</ntsc>" in xml) == (fps != "25")
    timeline = otio.adapters.read_from_string(xml, "fcp_xml")
    markers = list(timeline.tracks.markers)
    assert [m.name for m in markers] == [
        "Sam Member: Logo too small, make it bigger",
        "Sam Member: Colour dips here",
        'Sam Member: =HYPERLINK("http://evil.example","x")',
    ]
    starts = [round(m.marked_range.start_time.value) for m in markers]
    lengths = [round(m.marked_range.duration.value) for m in markers]
    assert starts == [export.frame(c.seconds) for c in export.roots()]
    assert lengths == [0, export.frame(12.52) - export.frame(10), 0]
    assert abs(markers[0].marked_range.start_time.rate - float(fps)) < 0.001
    assert "<comment>Sam Member: Colour dips here</comment>" in xml


def test_a_version_without_comments_exports_empty_files(studio: Studio) -> None:
    export = export_of(studio, ready_version(studio))
    assert comments_csv(export).count("\n") == 1
    assert "LOC" not in comments_edl(export)
    assert (
        len(otio.adapters.read_from_string(comments_fcp_xml(export), "fcp_xml").tracks.markers) == 0
    )
