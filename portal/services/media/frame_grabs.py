"""Frame grabs for review reports, with the comment's drawing rendered over them (Pillow).

The local backend grabs from the stored original with ffmpeg (imageio-ffmpeg): the seek time is
half a frame before the frame's start, since ffmpeg keeps the first frame at or after it. With
Mux the server fetches the frame from Mux's image API (signed, the time in the token). A grab
that fails becomes a grey picture saying so, so every comment still has its picture and drawing.
(Mux: a quarter frame into the frame, see mux_time.)
Drawings use the stored vector JSON (docs/annotations.md): points are fractions of the picture.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from portal.integrations import mux
from portal.integrations.media_local import grab_frame
from portal.services.media.exports import CommentExport
from portal.services.media.storage import asset_dir, source_path
from portal.services.media.view_types import PALETTE
from portal.settings import get_settings

GRAB_WIDTH = 960
GRAB_WORKERS = 2  # ffmpeg processes (or Mux requests) at once
Point = tuple[float, float]


def grab_time(export: CommentExport, seconds: float) -> float:
    """ffmpeg's seek time for the frame shown at `seconds`: half a frame before its start
    (ffmpeg keeps the first frame at or after the seek), never below 0."""
    return max(0.0, (export.frame(seconds) - 0.5) / export.fps)


def mux_time(export: CommentExport, seconds: float) -> float:
    """Mux's `time` for the frame shown at `seconds`: a quarter frame into it, the same frame
    whether Mux takes the frame shown at a time or the frame starting nearest to it."""
    return round((export.frame(seconds) + 0.25) / export.fps, 3)


def _grab(export: CommentExport, seconds: float) -> bytes | None:
    if export.backend == "mux":
        if not export.playback_id:
            return None
        try:
            time = mux_time(export, seconds)
            return mux.thumbnail(export.playback_id, seconds=time, width=GRAB_WIDTH)
        except mux.MuxError:
            return None
    source = source_path(export.tenant_id, export.asset_id)
    if source is None:  # processed media kept without its original: the HLS playlist
        master = asset_dir(export.tenant_id, export.asset_id) / "hls" / "master.m3u8"
        source = master if master.is_file() else None
    if source is None:
        return None
    return grab_frame(source, grab_time(export, seconds), width=GRAB_WIDTH)


def _picture(raw: bytes | None) -> Image.Image:
    if raw:
        try:
            with Image.open(io.BytesIO(raw)) as opened:
                return opened.convert("RGB")
        except (OSError, ValueError):
            pass
    blank = Image.new("RGB", (GRAB_WIDTH, GRAB_WIDTH * 9 // 16), (90, 90, 90))
    ImageDraw.Draw(blank).text((20, 20), "No frame available", fill=(230, 230, 230), font=_font(28))
    return blank


def frame_grabs(export: CommentExport) -> list[Image.Image]:
    """One picture per thread (export.roots() order), its drawing rendered over it."""
    roots = export.roots()
    with ThreadPoolExecutor(GRAB_WORKERS, thread_name_prefix="frame-grab") as pool:
        raws = list(pool.map(lambda c: _grab(export, c.seconds), roots))
    pictures = []
    for comment, raw in zip(roots, raws, strict=True):
        picture = _picture(raw)
        if comment.drawing:
            draw_shapes(picture, comment.drawing.get("shapes", []))
        pictures.append(picture)
    return pictures


@lru_cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    font = get_settings().watermark_font
    try:
        return ImageFont.truetype(str(font), size)
    except OSError:
        return ImageFont.load_default(size)


def draw_shapes(picture: Image.Image, shapes: list[dict[str, Any]]) -> None:
    """Render a drawing's shapes on `picture` in place, as the player's overlay shows them."""
    w, h = picture.size
    stroke = max(2, round(w / 240))
    pen = ImageDraw.Draw(picture)
    for shape in shapes:
        color = PALETTE.get(shape.get("color", ""), PALETTE["red"])
        points = [(float(x) * w, float(y) * h) for x, y in shape.get("points", [])]
        kind = shape.get("type")
        if kind == "pen" and len(points) >= 2:
            pen.line(points, fill=color, width=stroke, joint="curve")
        elif kind == "arrow" and len(points) == 2:
            _arrow(pen, points[0], points[1], color, stroke)
        elif kind in ("rect", "ellipse") and len(points) == 2:
            (x0, y0), (x1, y1) = points
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            draw = pen.rectangle if kind == "rect" else pen.ellipse
            draw(box, outline=color, width=stroke)
        elif kind == "text" and points:
            size = max(14, round(h / 22))
            pen.text(points[0], str(shape.get("text", "")), fill=color, font=_font(size))


def _arrow(pen: ImageDraw.ImageDraw, tail: Point, head: Point, color: str, stroke: int) -> None:
    pen.line([tail, head], fill=color, width=stroke)
    dx, dy = head[0] - tail[0], head[1] - tail[1]
    length = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    ux, uy = dx / length, dy / length
    size = stroke * 5
    left = (head[0] - ux * size - uy * size * 0.6, head[1] - uy * size + ux * size * 0.6)
    right = (head[0] - ux * size + uy * size * 0.6, head[1] - uy * size - ux * size * 0.6)
    pen.polygon([head, left, right], fill=color)
