"""Mux asset events: drive an asset's status forward only, whatever order events arrive in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import Session, select

from portal.db import TenantContext, enter_tenant
from portal.models import Asset
from portal.services.core.errors import MalformedEvent, TargetNotFound
from portal.services.core.outcomes import EventOutcome
from portal.services.notifications.events import on_asset_status

# A status only ever moves to a higher rank; ready and errored are both final outcomes of
# processing (the first to arrive stays), and deleted ends everything.
STATUS_RANK = {"uploading": 0, "processing": 1, "ready": 2, "errored": 2, "deleted": 3}
MUX_EVENT_STATUS = {
    "video.upload.asset_created": "processing",
    "video.asset.created": "processing",
    "video.asset.ready": "ready",
    "video.asset.errored": "errored",
    "video.asset.deleted": "deleted",
    # Static renditions say nothing new about the asset's own status.
    "video.asset.static_renditions.ready": None,
    "video.asset.static_renditions.preparing": None,
}


def next_status(current: str, incoming: str) -> str:
    """The asset status after `incoming`: forward only, never back."""
    return incoming if STATUS_RANK[incoming] > STATUS_RANK.get(current, 0) else current


def advance_asset(
    *,
    session: Session,
    asset_id: UUID,
    status: str,
    mux_asset_id: str | None = None,
    duration: Decimal | None = None,
    playback_id: str | None = None,
) -> str:
    """Apply a status (and Mux's id/duration/playback id when first known); returns the status."""
    asset = session.exec(select(Asset).where(Asset.id == asset_id).with_for_update()).one()
    change = MuxChange(status, asset_id, mux_asset_id, duration, playback_id)
    updates = merge_change({column: getattr(asset, column) for column in MUX_COLUMNS}, change)
    if "status" in updates:
        on_asset_status(session=session, asset=asset, status=updates["status"])  # notifications
    if updates:
        for column, value in updates.items():
            setattr(asset, column, value)
        session.add(asset)
        session.flush()
    return asset.status


# The asset columns a Mux event may change.
MUX_COLUMNS = ("status", "mux_asset_id", "duration", "mux_playback_id")


def merge_change(current: Mapping[str, Any], change: MuxChange) -> dict[str, Any]:
    """The columns `change` sets on an asset whose MUX_COLUMNS are `current`: the status
    forward only; Mux's asset id, the duration and the playback id only while unknown."""
    updates: dict[str, Any] = {}
    target = next_status(current["status"], change.status)
    if target != current["status"]:
        updates["status"] = target
    if change.mux_id and not current["mux_asset_id"]:
        updates["mux_asset_id"] = change.mux_id
    if change.duration is not None and current["duration"] is None:
        updates["duration"] = change.duration
    if change.playback_id and not current["mux_playback_id"]:
        updates["mux_playback_id"] = change.playback_id
    return updates


def _ids(event_type: str, data: dict[str, Any]) -> tuple[UUID | None, str | None]:
    if event_type == "video.upload.asset_created":
        mux_id = data.get("asset_id")
        passthrough = (data.get("new_asset_settings") or {}).get("passthrough")
    else:
        mux_id, passthrough = data.get("id"), data.get("passthrough")
    try:
        asset_id = UUID(str(passthrough)) if passthrough else None
    except ValueError:
        asset_id = None
    mux_id = mux_id if isinstance(mux_id, str) and 0 < len(mux_id) <= 255 else None
    if asset_id is None and mux_id is None:
        raise MalformedEvent(f"{event_type} without data.id, data.asset_id or passthrough")
    return asset_id, mux_id


def _duration(data: dict[str, Any]) -> Decimal | None:
    try:
        value = Decimal(str(data["duration"]))
    except (KeyError, InvalidOperation):
        return None
    return value if value >= 0 else None


def _playback_id(data: dict[str, Any]) -> str | None:
    """The asset's signed playback id, when the event lists one."""
    for item in data.get("playback_ids") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and len(item["id"]) <= 255:
            if item.get("policy") in ("signed", None):
                return item["id"]
    return None


@dataclass(frozen=True)
class MuxChange:
    """What one Mux event asks of its asset (parsed from the payload, not yet looked up)."""

    status: str
    asset_id: UUID | None
    mux_id: str | None
    duration: Decimal | None
    playback_id: str | None


def parse_mux_event(payload: dict[str, Any]) -> MuxChange | EventOutcome:
    """The change a Mux event asks for, or its outcome when it asks for none (`ignored`).

    Raises MalformedEvent when the payload lacks what its type requires.
    """
    event_type = payload.get("type")
    if event_type not in MUX_EVENT_STATUS:
        return EventOutcome("ignored", f"unhandled event type {str(event_type)[:100]!r}")
    status = MUX_EVENT_STATUS[event_type]
    if status is None:
        return EventOutcome("ignored", "no status change for this event type")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise MalformedEvent(f"{event_type} without a data object")
    asset_id, mux_id = _ids(event_type, data)
    duration = _duration(data) if status == "ready" else None
    return MuxChange(status, asset_id, mux_id, duration, _playback_id(data))


def handle_mux_event(*, session: Session, payload: dict[str, Any]) -> EventOutcome:
    """Apply one Mux event inside the caller's transaction (which it moves into the tenant)."""
    change = parse_mux_event(payload)
    if isinstance(change, EventOutcome):
        return change
    found = session.execute(
        text("SELECT asset_id, tenant_id FROM webhook_asset_lookup(:id, :mux)"),
        {"id": change.asset_id, "mux": change.mux_id},
    ).first()
    if found is None:
        raise TargetNotFound("no asset matches this event")
    enter_tenant(session, TenantContext(tenant_id=found.tenant_id))
    final = advance_asset(
        session=session,
        asset_id=found.asset_id,
        status=change.status,
        mux_asset_id=change.mux_id,
        duration=change.duration,
        playback_id=change.playback_id,
    )
    return outcome_for(change.status, final)


def outcome_for(status: str, final: str) -> EventOutcome:
    """`processed`, noting when the asset kept a later status than the event's."""
    return EventOutcome("processed", None if final == status else f"asset stays {final}")
