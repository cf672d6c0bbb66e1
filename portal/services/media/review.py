"""Approval per version: in review → changes requested | approved, with who and when.

Approving a version that is not its deliverable's latest must be explicit (`confirm_old`), so
nobody signs off an old cut by accident. Every decision is kept by the audit log on assets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session

from portal.models import Asset
from portal.services.core.errors import Conflict, InvalidInput, OldVersion
from portal.services.core.rows import insert_row
from portal.services.core.versions import deliverable_version
from portal.services.media.assets import get_asset
from portal.services.notifications.events import on_review_decision
from portal.services.outbound.webhooks import emit

DECISIONS = ("in_review", "changes_requested", "approved")
# Which decision may follow which (reopening an approval goes back to review first).
ALLOWED = {
    "in_review": {"changes_requested", "approved"},
    "changes_requested": {"approved", "in_review"},
    "approved": {"in_review"},
}
LABELS = {
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
}


def next_decisions(review_status: str) -> set[str]:
    """The decisions that may follow `review_status` (what the review page offers)."""
    return set(ALLOWED.get(review_status, ()))


def latest_version(session: Session, asset: Asset) -> Asset:
    """The newest live version of the asset's deliverable."""
    return session.scalars(
        select(Asset)
        .where(
            Asset.project_id == asset.project_id,
            Asset.deliverable_key == asset.deliverable_key,
            Asset.status != "deleted",
        )
        .order_by(Asset.version.desc())
        .limit(1)
    ).one()


def decide(
    *,
    session: Session,
    asset_id: UUID | str,
    user_id: UUID | None,
    decision: str,
    confirm_old: bool = False,
) -> Asset:
    """Record a review decision on one version."""
    if decision not in DECISIONS:
        raise InvalidInput("Unknown review decision.")
    asset = get_asset(session=session, asset_id=asset_id, for_update=True)
    if asset.status != "ready":
        raise InvalidInput("Only a version that has finished processing can be reviewed.")
    if decision == asset.review_status:
        raise Conflict(f"This version is already “{LABELS[decision]}”.")
    if decision not in ALLOWED[asset.review_status]:
        raise InvalidInput(
            f"A version that is “{LABELS[asset.review_status]}” must go back to review first."
        )
    latest = latest_version(session, asset)
    if decision == "approved" and latest.id != asset.id and not confirm_old:
        raise OldVersion(
            f"This is not the latest version (v{deliverable_version(session, latest)} is newer). "
            "Confirm to approve this older version."
        )
    asset.review_status = decision
    asset.reviewed_by = user_id
    asset.reviewed_at = datetime.now(UTC)
    saved = insert_row(session, asset)
    on_review_decision(session=session, asset=saved, decision=decision)  # notifications
    if decision in ("approved", "changes_requested"):
        emit(
            session=session,
            tenant_id=saved.tenant_id,
            event_type=f"version.{decision}",
            data={
                "version_id": saved.id,
                "project_id": saved.project_id,
                "title": saved.title,
                "review_status": decision,
                "reviewed_by": user_id,
            },
        )
    return saved
