"""The local media backend: probe, poster and HLS renditions with the ffmpeg binary shipped by
`imageio-ffmpeg` (no ffprobe there, so the probe reads `ffmpeg -i`'s stream report).

Handles what breaks naive pipelines: no audio track (audio is mapped optionally), ProRes/MOV
(10-bit 4:2:2 is converted to 8-bit 4:2:0), odd sizes (every output size is even) and rotated
phone video (ffmpeg rotates while decoding; sizes are computed on the displayed orientation).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

SEGMENT_SECONDS = 2
TARGET_SHORT_SIDE = 720


class MediaError(Exception):
    """Processing failed; the message is readable by the person who uploaded the file."""


@dataclass(frozen=True)
class Probe:
    """What the source file holds (width/height as displayed, after rotation)."""

    duration: Decimal
    frame_rate: Decimal
    width: int
    height: int
    rotation: int
    has_audio: bool
    codec: str


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int
    height: int
    video_kbps: int


@dataclass
class Processed:
    probe: Probe
    renditions: list[Rendition] = field(default_factory=list)


@lru_cache
def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _run(args: list[str], *, timeout: int) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [ffmpeg(), "-hide_banner", "-nostdin", *args],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise MediaError("Processing took too long and was stopped.") from None


_DURATION = re.compile(r"Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\d+:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"(\d+(?:\.\d+)?) (?:fps|tbr)")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")


def probe(path: Path, *, timeout: int = 60) -> Probe:
    """Read duration, frame rate, displayed size, rotation and audio presence."""
    report = _run(["-i", str(path)], timeout=timeout).stderr
    if "moov atom not found" in report or "partial file" in report:
        raise MediaError("The file is incomplete (the upload may have been cut short).")
    video = _VIDEO.search(report)
    if video is None:
        if "Invalid data found" in report or "Input #0" not in report:
            raise MediaError("This file is damaged or is not a video we can read.")
        raise MediaError("The file has no video track.")
    duration = _DURATION.search(report)
    if duration is None:
        raise MediaError("The video's duration cannot be read (the file may be damaged).")
    h, m, s = duration.groups()
    seconds = Decimal(h) * 3600 + Decimal(m) * 60 + Decimal(s)
    video_line = report[video.start() : report.find("\n", video.start())]
    fps = _FPS.search(video_line)
    rotation = _ROTATION.search(report[video.start() :])
    turn = round(float(rotation.group(1))) % 360 if rotation else 0
    width, height = int(video.group(2)), int(video.group(3))
    if turn in (90, 270):
        width, height = height, width
    return Probe(
        duration=seconds.quantize(Decimal("0.001")),
        frame_rate=Decimal(fps.group(1)) if fps else Decimal(25),
        width=width,
        height=height,
        rotation=turn,
        has_audio=re.search(r"Stream #\d+:\d+.*?: Audio:", report) is not None,
        codec=video.group(1),
    )


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def plan_renditions(width: int, height: int) -> list[Rendition]:
    """720p (on the short side, so portrait stays portrait) plus the source's own size when
    it is smaller; every size even (H.264 4:2:0 needs it)."""
    short = min(width, height)
    sides = [TARGET_SHORT_SIDE] + ([short] if short < TARGET_SHORT_SIDE else [])
    renditions = []
    for side in sides:
        scale = side / short
        w, h = _even(width * scale), _even(height * scale)
        kbps = max(300, int(w * h * 30 * 0.07 / 1000))  # ~0.07 bits per pixel at 30 fps
        renditions.append(Rendition(f"{side}p", w, h, kbps))
    return renditions


def _encode(src: Path, out: Path, r: Rendition, p: Probe, timeout: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    args = ["-y", "-v", "error", "-i", str(src), "-map", "0:v:0", "-map", "0:a:0?"]
    args += ["-vf", f"scale={r.width}:{r.height}:flags=bicubic,setsar=1,format=yuv420p"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high"]
    args += ["-b:v", f"{r.video_kbps}k", "-maxrate", f"{r.video_kbps * 3 // 2}k"]
    args += ["-bufsize", f"{r.video_kbps * 2}k", "-sc_threshold", "0"]
    args += ["-force_key_frames", f"expr:gte(t,n_forced*{SEGMENT_SECONDS})"]
    args += ["-c:a", "aac", "-b:a", "128k", "-ac", "2"] if p.has_audio else []
    args += ["-f", "hls", "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod"]
    args += ["-hls_segment_filename", str(out / "seg_%05d.ts"), str(out / "index.m3u8")]
    done = _run(args, timeout=timeout)
    if done.returncode != 0 or not (out / "index.m3u8").exists():
        raise MediaError(_reason(done.stderr, "The video could not be converted for playback."))


def _reason(stderr: str, fallback: str) -> str:
    if "Invalid data found" in stderr or "corrupt" in stderr.lower():
        return "The video is damaged and could not be converted for playback."
    return fallback


def make_poster(src: Path, target: Path, p: Probe, *, timeout: int) -> None:
    """A JPEG frame a second in (or mid-way through a shorter clip), 720 px on the long side."""
    at = min(Decimal(1), p.duration / 2)
    scale = 720 / max(p.width, p.height)
    w, h = _even(p.width * scale), _even(p.height * scale)
    done = _run(
        ["-y", "-v", "error", "-ss", str(at), "-i", str(src), "-frames:v", "1"]
        + ["-vf", f"scale={w}:{h},setsar=1", "-q:v", "4", str(target)],
        timeout=timeout,
    )
    if done.returncode != 0 or not target.exists():
        raise MediaError("A poster frame could not be made from this video.")


def master_playlist(renditions: list[Rendition], has_audio: bool) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for r in sorted(renditions, key=lambda r: -r.width * r.height):
        codecs = "avc1.640028,mp4a.40.2" if has_audio else "avc1.640028"
        bandwidth = (r.video_kbps * 3 // 2 + (128 if has_audio else 0)) * 1000
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={r.width}x{r.height},"
            f'CODECS="{codecs}"'
        )
        lines.append(f"{r.name}/index.m3u8")
    return "\n".join(lines) + "\n"


def process(src: Path, folder: Path, *, timeout: int = 3600) -> Processed:
    """Probe `src`, write `folder/poster.jpg` and `folder/hls/` (master.m3u8 + renditions).

    Work happens in a temporary folder renamed into place at the end: a failure leaves no
    half-written renditions behind.
    """
    p = probe(src)
    if p.duration <= 0:
        raise MediaError("The video has no length (0 seconds).")
    work = folder / "hls.tmp"
    shutil.rmtree(work, ignore_errors=True)
    try:
        renditions = plan_renditions(p.width, p.height)
        for r in renditions:
            _encode(src, work / r.name, r, p, timeout)
        (work / "master.m3u8").write_text(master_playlist(renditions, p.has_audio))
        make_poster(src, work / "poster.jpg", p, timeout=timeout)
        shutil.rmtree(folder / "hls", ignore_errors=True)
        (work / "poster.jpg").replace(folder / "poster.jpg")
        work.replace(folder / "hls")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Processed(p, renditions)


def grab_frame(src: Path, seconds: float, *, width: int, timeout: int = 60) -> bytes | None:
    """One frame at `seconds` as a JPEG `width` pixels wide (rotation applied), or None when
    ffmpeg finds none. ffmpeg keeps the first frame at or after the seek time, so callers pass a
    time inside the frame they want (see exports grabs: half a frame before its start)."""
    args = ["-v", "error", "-ss", f"{max(0.0, seconds):.6f}", "-i", str(src), "-frames:v", "1"]
    args += ["-vf", f"scale={width}:-2", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "-"]
    try:
        done = subprocess.run(
            [ffmpeg(), "-hide_banner", "-nostdin", *args],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None
