"""What the asset and project pages show: one version, its version stack, each deliverable's
latest state. Plain view objects with string fields (state vars never hold rows)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal import routes
from portal.models import Asset, User
from portal.services.core.locale import format_datetime
from portal.services.media.assets import get_asset
from portal.services.media.review import LABELS
from portal.services.media.timecode import format_duration
from portal.services.media.view_types import DeliverableView, VersionView

STATUS_LABELS = {
    "uploading": "Uploading",
    "processing": "Processing",
    "ready": "Ready",
    "errored": "Failed",
    "deleted": "Deleted",
}


@dataclass(frozen=True)
class AssetView:
    """One version as its page shows it."""

    id: str
    project_id: str
    title: str
    label: str
    backend: str
    status: str
    status_label: str
    error_reason: str
    duration: str
    frame_rate: float
    size: str
    filename: str
    review_status: str
    review_label: str
    reviewed: str
    is_latest: bool
    playable: bool


def _reviewed(asset: Asset, names: dict[UUID, str]) -> str:
    if asset.reviewed_at is None or asset.review_status == "in_review":
        return ""
    who = names.get(asset.reviewed_by, "someone") if asset.reviewed_by else "someone"
    return f"{LABELS[asset.review_status]} by {who} · {format_datetime(asset.reviewed_at)}"


def _names(session: Session, ids: set[UUID | None]) -> dict[UUID, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, func.coalesce(User.name, User.email)).where(User.id.in_(wanted))
    )
    return dict(rows.tuples().all())


def _poster(asset: Asset) -> str:
    """The poster frame's URL once the version is processed ("" before)."""
    return routes.media_url(str(asset.id), "poster.jpg") if asset.status == "ready" else ""


def version_stack(session: Session, asset: Asset) -> list[VersionView]:
    """All live versions of the asset's deliverable, newest first."""
    rows = session.scalars(
        select(Asset)
        .where(
            Asset.project_id == asset.project_id,
            Asset.deliverable_key == asset.deliverable_key,
            Asset.status != "deleted",
        )
        .order_by(Asset.version)
    ).all()
    names = _names(session, {r.reviewed_by for r in rows})
    views = [
        VersionView(
            id=str(r.id),
            label=f"v{n}",
            status=r.status,
            status_label=STATUS_LABELS[r.status],
            review_status=r.review_status,
            review_label=LABELS[r.review_status],
            reviewed=_reviewed(r, names),
            created_at=format_datetime(r.created_at),
            href=routes.asset_url(str(r.id)),
            poster=_poster(r),
        )
        for n, r in enumerate(rows, start=1)
    ]
    return views[::-1]


def asset_view(*, session: Session, asset_id: UUID | str) -> tuple[AssetView, list[VersionView]]:
    """One version and its stack (another tenant's id reads as not found)."""
    asset = get_asset(session=session, asset_id=asset_id)
    stack = version_stack(session, asset)
    mine = next(v for v in stack if v.id == str(asset.id))
    names = _names(session, {asset.reviewed_by})
    view = AssetView(
        id=str(asset.id),
        project_id=str(asset.project_id),
        title=asset.title,
        label=mine.label,
        backend=asset.backend,
        status=asset.status,
        status_label=STATUS_LABELS[asset.status],
        error_reason=asset.error_reason or "",
        duration=format_duration(float(asset.duration) if asset.duration is not None else None),
        frame_rate=float(asset.frame_rate or 25),
        size=f"{asset.width}×{asset.height}" if asset.width and asset.height else "",
        filename=asset.original_filename or "",
        review_status=asset.review_status,
        review_label=LABELS[asset.review_status],
        reviewed=_reviewed(asset, names),
        is_latest=stack[0].id == str(asset.id),
        playable=asset.status == "ready",
    )
    return view, stack


def project_deliverables(*, session: Session, project_id: UUID) -> list[DeliverableView]:
    """Each deliverable of a project with its latest version's processing and review state."""
    rows = session.scalars(
        select(Asset)
        .where(Asset.project_id == project_id, Asset.status != "deleted")
        .order_by(Asset.deliverable_key, Asset.version)
    ).all()
    groups: dict[str, list[Asset]] = {}
    for row in rows:
        groups.setdefault(row.deliverable_key or "", []).append(row)
    names = _names(session, {g[-1].reviewed_by for g in groups.values()})
    views = []
    for group in groups.values():
        latest = group[-1]
        views.append(
            DeliverableView(
                title=latest.title,
                latest_label=f"v{len(group)}",
                versions=len(group),
                status=latest.status,
                status_label=STATUS_LABELS[latest.status],
                review_status=latest.review_status,
                review_label=LABELS[latest.review_status],
                reviewed=_reviewed(latest, names),
                href=routes.asset_url(str(latest.id)),
                latest_id=str(latest.id),
                # The newest processed version's poster (the latest may still be processing).
                poster=next((p for p in map(_poster, reversed(group)) if p), ""),
            )
        )
    return views
