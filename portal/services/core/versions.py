"""A version's number within its deliverable: the one rule the asset page, share page, emails and
the bell all show.

`assets.version` is the project's upload number (unique per project, the order of uploads); a
deliverable's versions are the project's assets with the same title (compared trimmed and
case-insensitively, `deliverable_key`). Its own v1, v2, … counts the live versions of that
deliverable uploaded up to this one; a cancelled upload (`deleted`) takes no number.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from portal.models import Asset


def deliverable_version(session: Session, asset: Asset) -> int:
    """v1, v2, … of `asset` within its deliverable (works on a detached row: reads only the
    project, title, upload number and id)."""
    count = session.scalar(
        select(func.count())
        .select_from(Asset)
        .where(
            col(Asset.project_id) == asset.project_id,
            col(Asset.deliverable_key) == func.lower(func.btrim(asset.title)),
            col(Asset.version) <= asset.version,
            or_(col(Asset.status) != "deleted", col(Asset.id) == asset.id),
        )
    )
    return int(count or 1)
