"""A version's comments as markers for the edit suite, written by OpenTimelineIO's adapters:

- EDL (CMX 3600, `otio-cmx3600-adapter`): one event (the version, from 00:00:00:00) carrying each
  thread as a `* LOC:` locator line: DaVinci Resolve imports them as timeline markers (red: open,
  green: resolved). A locator has no duration, so a range's out point is written in its text.
  The adapter writes locator text in capitals (as Avid does). Timecode is non-drop-frame, as on
  the review page: frames are counted at the nominal rate (29.97 → 30), and the header says
  `FCM: NON-DROP FRAME` (the adapter would write drop-frame labels for 29.97 otherwise).
- FCP 7 XML (`otio-fcp-adapter`; Premiere Pro's File > Import reads it): a sequence with the
  version as its clip and each thread as a sequence marker with in and out points (frames at the
  version's real rate, 29.97 as NTSC timebase 30), the text as the marker's comment.
"""

from __future__ import annotations

import opentimelineio as otio
from opentimelineio import opentime, schema

from portal.services.media.exports import CommentExport, ExportComment
from portal.services.media.timecode import nominal_fps

# A locator line stays readable in an edit suite's marker list.
MAX_MARKER_TEXT = 200
REEL = "AX"  # the reel name edit suites give file-based media


def marker_text(export: CommentExport, c: ExportComment, *, with_out: bool) -> str:
    """ "Author: text" on one line (an EDL line ends at a line break), with the range's out point
    when the format has no duration of its own."""
    text = " ".join(f"{c.author}: {c.body}".split())
    if with_out and c.end is not None:
        text += f" (TO {export.timecode(c.end)})"
    return text[:MAX_MARKER_TEXT]


def _timeline(export: CommentExport, rate: float, *, edl: bool) -> schema.Timeline:
    """One video track with the version as one clip, its threads as markers on the clip (EDL)
    or on the sequence (XML). Frame n of the version is RationalTime(n, rate)."""
    last = export.frame(export.duration) if export.duration else 0
    ends = [export.frame(c.end) for c in export.roots() if c.end is not None]
    frames = max([last, *ends, *(export.frame(c.seconds) + 1 for c in export.roots())], default=1)
    whole = opentime.TimeRange(opentime.RationalTime(0, rate), opentime.RationalTime(frames, rate))
    clip = schema.Clip(
        name=export.name,
        media_reference=schema.ExternalReference(
            target_url=export.filename or export.name, available_range=whole
        ),
        source_range=whole,
        metadata={"cmx_3600": {"reel": REEL}},
    )
    timeline = schema.Timeline(name=export.name)
    track = schema.Track(kind=schema.TrackKind.Video)
    track.append(clip)
    timeline.tracks.append(track)
    markers = clip.markers if edl else timeline.tracks.markers
    for c in export.roots():
        start = export.frame(c.seconds)
        length = export.frame(c.end) - start if c.end is not None else 0
        text = marker_text(export, c, with_out=edl)
        markers.append(
            schema.Marker(
                name=text,
                marked_range=opentime.TimeRange(
                    opentime.RationalTime(start, rate), opentime.RationalTime(length, rate)
                ),
                color=schema.MarkerColor.GREEN if c.resolved else schema.MarkerColor.RED,
                metadata={"fcp_xml": {"comment": text}},
            )
        )
    return timeline


def comments_edl(export: CommentExport) -> str:
    """The CMX 3600 EDL with a locator per thread."""
    rate = float(nominal_fps(export.fps))
    text = otio.adapters.write_to_string(_timeline(export, rate, edl=True), "cmx_3600", rate=rate)
    head, _, rest = text.partition("\n")
    return f"{head}\nFCM: NON-DROP FRAME\n{rest}"


def comments_fcp_xml(export: CommentExport) -> str:
    """The FCP 7 XML (xmeml) sequence with a marker per thread."""
    rate = _xml_rate(export.fps)
    return str(otio.adapters.write_to_string(_timeline(export, rate, edl=False), "fcp_xml"))


def _xml_rate(fps: float) -> float:
    """NTSC rates exactly (30000/1001, 24000/1001, 60000/1001) so the XML says ntsc TRUE."""
    base = nominal_fps(fps)
    ntsc = base * 1000 / 1001
    return ntsc if abs(fps - ntsc) < 0.005 and base in (24, 30, 60) else fps
