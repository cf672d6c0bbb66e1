"""What the share pages show: plain view types and texts, with no database code (pages and
components import them; the query functions in this package build them)."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of file an upload request may accept (key: stored value; value: label).
UPLOAD_KINDS: dict[str, str] = {
    "video": "Video",
    "images": "Images",
    "documents": "Documents",
    "audio": "Audio",
    "archives": "Archives",
}


@dataclass(frozen=True)
class GuestCommentView:
    """A comment left through the link, as the client page shows it (a name, never an email)."""

    id: str
    author_name: str
    body: str
    created_at: str
    timecode: str
    seconds: float
    # The comment carries a drawing (its timecode button then shows it).
    has_drawing: bool = False


@dataclass(frozen=True)
class ShareLinkSummary:
    """One link as the owner's lists show it (no token, no hash)."""

    id: str
    name: str
    asset_title: str
    asset_href: str
    status: str
    status_label: str
    expires: str
    views: str  # "3" or "3 / 10"
    last_viewed: str
    created: str
    passcode: bool
    allow_comments: bool
    allow_download: bool
    watermark: bool
    ask_decision: bool
    follow_latest: bool
    notify_new_versions: bool
    # Revoke and extend make sense only for a link that has not been revoked.
    live: bool


@dataclass(frozen=True)
class ClientDecisionView:
    """A client's decision through a share link ("Approved by Jane Client")."""

    id: str
    decision: str  # approved | changes_requested
    summary: str  # "Approved by Jane Client"
    name: str
    link_name: str
    when: str
    note: str
    # The client's latest decision on this link (earlier ones are its history).
    latest: bool


# Shown beside a watermarked video (the watermark is a deterrent, and says so).
NOTICE = (
    "Watermarked: a visible deterrent overlay naming the viewer, not a forensic watermark "
    "(it does not survive cropping or re-recording)."
)
