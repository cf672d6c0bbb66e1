"""Comparing versions of one deliverable: the pair shown side by side or as a wipe, and the
comments of earlier versions shown on a newer one (each marked with its version)."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from sqlmodel import Session

from portal.services.core.errors import InvalidInput
from portal.services.media.comments import asset_thread
from portal.services.media.mentions import people_for_asset, split_mentions
from portal.services.media.view_types import AssetCommentView
from portal.services.media.views import AssetView, VersionView, asset_view


def compare_pair(
    *, session: Session, left_id: UUID | str, right_id: UUID | str
) -> tuple[AssetView, AssetView, list[VersionView]]:
    """Two ready versions of the same deliverable (and its stack, newest first), as far as RLS
    lets the caller see them; anything else is refused with a message."""
    left, stack = asset_view(session=session, asset_id=left_id)
    right, _ = asset_view(session=session, asset_id=right_id)
    if left.id == right.id:
        raise InvalidInput("Choose two different versions to compare.")
    if right.id not in {v.id for v in stack}:
        raise InvalidInput("Only versions of the same deliverable can be compared.")
    if not (left.playable and right.playable):
        raise InvalidInput("Both versions must be ready to play before they can be compared.")
    return left, right, stack


def earlier_threads(
    *,
    session: Session,
    asset_id: UUID | str,
    version_ids: list[str],
    status: str = "all",
    query: str = "",
) -> list[AssetCommentView]:
    """The threads of the chosen earlier versions of `asset_id`'s deliverable, each comment
    marked with its version ("v1"), in timecode order (a thread's replies follow it). Ids that
    are not earlier versions of it are ignored."""
    view, stack = asset_view(session=session, asset_id=asset_id)
    current = [v.id for v in stack].index(view.id)  # the stack is newest first
    views = []
    for version in stack[current + 1 :]:
        if version.id in version_ids:
            thread = asset_thread(session=session, asset_id=version.id, status=status, query=query)
            views += [replace(c, version_label=version.label) for c in thread]
    return sorted(views, key=lambda c: c.seconds)


def threads_with_earlier(
    *,
    session: Session,
    asset_id: UUID | str,
    earlier: list[str],
    status: str = "all",
    query: str = "",
) -> list[AssetCommentView]:
    """A version's own threads, with those of the chosen earlier versions merged in by time
    (each marked with its version; its own first at the same time)."""
    own = asset_thread(session=session, asset_id=asset_id, status=status, query=query)
    more = (
        earlier_threads(
            session=session, asset_id=asset_id, version_ids=earlier, status=status, query=query
        )
        if earlier
        else []
    )
    # @mentions of people who can see the version become chips.
    people = people_for_asset(session=session, asset_id=asset_id)
    views = sorted([*own, *more], key=lambda c: c.seconds)
    return [replace(c, parts=split_mentions(c.body, people)) if "@" in c.body else c for c in views]
