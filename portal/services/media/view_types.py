"""What the asset and project pages show of media: plain view types and constants, with no
database code (components import them; the query functions in this package build them)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Colour name -> the colour the browser draws (assets/annotate.js holds the same table).
PALETTE = {
    "red": "#ff3b30",
    "orange": "#ff9500",
    "yellow": "#ffd60a",
    "green": "#34c759",
    "blue": "#0a84ff",
    "white": "#ffffff",
}
# The longest text label on a drawing (the drawing tools' input says so too).
MAX_LABEL = 200


@dataclass(frozen=True)
class VersionView:
    """One version in a deliverable's stack."""

    id: str
    label: str  # v1, v2, …
    status: str
    status_label: str
    review_status: str
    review_label: str
    reviewed: str  # "Approved by Ada · 3 Mar 2026, 10:15 am" or ""
    created_at: str
    href: str
    # Its poster frame (/api/media/<id>/poster.jpg) once processed, "" before.
    poster: str = ""


@dataclass(frozen=True)
class DeliverableView:
    """A deliverable on the project page: its latest version's state."""

    title: str
    latest_label: str
    versions: int
    status: str
    status_label: str
    review_status: str
    review_label: str
    reviewed: str
    href: str
    latest_id: str = ""
    # The poster of the newest processed version ("" when none is processed yet).
    poster: str = ""


@dataclass(frozen=True)
class BodyPart:
    """A piece of a comment's text: plain, or an @mention of someone who can see the item
    (`person` is their name; the page shows it as a chip)."""

    text: str
    person: str = ""


@dataclass(frozen=True)
class AssetCommentView:
    """One comment as the review panel shows it (replies follow their thread's first comment)."""

    id: str
    author_name: str
    body: str
    created_at: str
    is_reply: bool
    timecode: str
    seconds: float
    resolved: bool
    # The comment carries a drawing on its frame (shown by the player's annotation layer).
    has_drawing: bool = False
    # A range comment's out point in seconds ("" for a comment at one frame): the scrubber
    # draws it as a bar.
    end_seconds: str = ""
    # "v1" on a comment of an earlier version shown beside the current one's ("" for its own).
    version_label: str = ""
    # The body split around @mentions of people who can see the version (empty: plain body).
    parts: list[BodyPart] = field(default_factory=list)
