"""Timecodes HH:MM:SS:FF at an asset's frame rate (non-drop-frame: 29.97 counts as 30).

The player's script (portal/components/player.py) does the same arithmetic in the browser.
"""

from __future__ import annotations

import math

# A frame starts at n / fps; the epsilon keeps 0.04 s at 25 fps on frame 1, not frame 0.
EPSILON = 1e-6


def nominal_fps(fps: float) -> int:
    """Frames counted per timecode second (29.97 → 30, 23.976 → 24)."""
    return max(1, round(fps))


def frame_at(seconds: float, fps: float) -> int:
    """The frame shown at `seconds`."""
    return max(0, math.floor(seconds * fps + EPSILON))


def format_timecode(seconds: float, fps: float) -> str:
    """HH:MM:SS:FF for a time in seconds."""
    base = nominal_fps(fps)
    frames = frame_at(seconds, fps)
    total, ff = divmod(frames, base)
    hh, rest = divmod(total, 3600)
    mm, ss = divmod(rest, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"


def format_duration(seconds: float | None) -> str:
    """A duration for people: 1:05 or 1:02:03."""
    if seconds is None:
        return ""
    whole = int(round(seconds))
    hh, rest = divmod(whole, 3600)
    mm, ss = divmod(rest, 60)
    return f"{hh}:{mm:02d}:{ss:02d}" if hh else f"{mm}:{ss:02d}"
