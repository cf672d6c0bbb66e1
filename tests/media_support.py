"""Tiny generated clips (ffmpeg lavfi, 1 s; the `clips` fixture) and media file helpers."""

from __future__ import annotations

import subprocess
from pathlib import Path

from portal.integrations.media_local import ffmpeg

# name -> ffmpeg arguments after the inputs (each clip is 1 s; sizes are tiny on purpose).
CLIPS: dict[str, list[str]] = {
    "with_audio.mp4": [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=25:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=duration=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
    ],
    "no_audio_odd.mov": [
        "-f",
        "lavfi",
        "-i",
        "color=c=teal:size=161x91:rate=24:duration=1",
        "-c:v",
        "mjpeg",
        "-pix_fmt",
        "yuvj444p",
    ],
    "prores.mov": [
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=128x72:rate=30000/1001:duration=1",
        "-c:v",
        "prores_ks",
        "-profile:v",
        "0",
    ],
}


def _make(folder: Path, name: str) -> Path:
    target = folder / name
    if name == "rotated_phone.mp4":
        source = _make(folder, "with_audio.mp4")
        args = ["-display_rotation", "90", "-i", str(source), "-c", "copy"]
    else:
        args = CLIPS[name]
    subprocess.run([ffmpeg(), "-v", "error", "-y", *args, str(target)], check=True)
    return target


def make_clips(folder: Path) -> dict[str, Path]:
    """Every clip in `folder` (name -> path), plus a truncated MP4 and a PDF named .mp4."""
    made = {name: _make(folder, name) for name in [*CLIPS, "rotated_phone.mp4"]}
    full = made["with_audio.mp4"].read_bytes()
    made["truncated.mp4"] = folder / "truncated.mp4"
    made["truncated.mp4"].write_bytes(full[: len(full) // 2])
    made["not_video.mp4"] = folder / "not_video.mp4"
    made["not_video.mp4"].write_bytes(b"%PDF-1.7\n" + b"x" * 2000)
    return made


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def store(path: Path, *, name: str | None = None, chunk: int = 64 * 1024, **kwargs):
    """Stream a file through UploadWriter as the upload handlers do."""
    from portal.services.media.storage import UploadWriter

    with (
        UploadWriter(path.name if name is None else name, **kwargs) as writer,
        open(path, "rb") as src,
    ):
        while data := src.read(chunk):
            writer.write(data)
        return writer.finish()
