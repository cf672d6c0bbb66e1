"""What a share link is as of now, and whether a watermark can be burned into its version: the
rules links, grants and watermarks share."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.models import Asset, ShareLink


def effective_status(link: ShareLink, now: datetime | None = None) -> str:
    """The status as of now (the database rule `effective_status(share_links)` in Python)."""
    now = now or datetime.now(UTC)
    if link.status == "active" and link.expires_at <= now:
        return "expired"
    if link.status == "active" and link.view_limit is not None:
        if link.view_count >= link.view_limit:
            return "exhausted"
    return link.status


def burnable(asset: Asset | None) -> bool:
    """Whether the portal can burn a watermark into this version (it holds the master)."""
    return asset is not None and asset.backend == "local"
