"""Mux events in bulk: media_events' forward-only rules, with one lookup per batch and one tenant
switch and one asset lock statement per tenant, instead of four round trips per event."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session, select

from portal.db import TenantContext, enter_tenant
from portal.models import Asset
from portal.services.media_events import (
    EventOutcome,
    MalformedEvent,
    MuxChange,
    TargetNotFound,
    advance_locked_asset,
    outcome_for,
    parse_mux_event,
)

Key = TypeVar("Key")

_LOOKUP = text(
    "SELECT e.n, l.asset_id, l.tenant_id"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:mux AS text[])) WITH ORDINALITY AS e(a, m, n)"
    " CROSS JOIN LATERAL webhook_asset_lookup(e.a, e.m) AS l"
)


def handle_mux_events(
    *, session: Session, events: list[tuple[Key, dict[str, Any]]]
) -> dict[Key, EventOutcome | TargetNotFound]:
    """Apply Mux events in order inside the caller's transaction; per event its outcome, or
    TargetNotFound (nothing written for it). Any other error leaves the batch half-applied:
    the caller runs it in a savepoint and falls back to one event at a time."""
    outcomes: dict[Key, EventOutcome | TargetNotFound] = {}
    changes: list[tuple[Key, MuxChange]] = []
    for key, payload in events:
        try:
            change = parse_mux_event(payload)
        except MalformedEvent as exc:
            outcomes[key] = EventOutcome("dead", str(exc)[:500])
            continue
        if isinstance(change, EventOutcome):
            outcomes[key] = change
        else:
            changes.append((key, change))
    found = _lookup(session, [change for _, change in changes])
    by_tenant: dict[Any, list[tuple[Key, MuxChange, Any]]] = defaultdict(list)
    for index, (key, change) in enumerate(changes):
        if index in found:
            asset_id, tenant_id = found[index]
            by_tenant[tenant_id].append((key, change, asset_id))
        else:
            outcomes[key] = TargetNotFound("no asset matches this event")
    for tenant_id, items in by_tenant.items():
        outcomes.update(_apply_tenant(session, tenant_id, items))
    return outcomes


def _lookup(session: Session, changes: list[MuxChange]) -> dict[int, tuple[Any, Any]]:
    """Index in `changes` → (asset id, tenant id), through webhook_asset_lookup."""
    if not changes:
        return {}
    rows = session.execute(
        _LOOKUP,
        {"ids": [c.asset_id for c in changes], "mux": [c.mux_id for c in changes]},
    ).all()
    return {row.n - 1: (row.asset_id, row.tenant_id) for row in rows}


def _apply_tenant(
    session: Session, tenant_id: Any, items: list[tuple[Key, MuxChange, Any]]
) -> dict[Key, EventOutcome]:
    enter_tenant(session, TenantContext(tenant_id=tenant_id))
    ids = sorted({asset_id for _, _, asset_id in items})
    # Locked in id order, so two lockers of the same assets cannot deadlock.
    query = select(Asset).where(Asset.id.in_(ids)).order_by(Asset.id).with_for_update()
    assets = {asset.id: asset for asset in session.exec(query)}
    outcomes: dict[Key, EventOutcome] = {}
    for key, change, asset_id in items:
        asset = assets[asset_id]
        advance_locked_asset(
            session, asset, change.status, change.mux_id, change.duration, change.playback_id
        )
        outcomes[key] = outcome_for(change.status, asset.status)
    session.flush()
    return outcomes
