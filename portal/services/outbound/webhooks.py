"""Outbound webhooks: register endpoints (admins of the tenant), emit events in the writer's
transaction (one delivery row and one job per matching endpoint, committed with the change that
caused them), deliver with the job queue (signed, bounded time, no redirects), retry with
exponential backoff, record every attempt, replay, and disable an endpoint that keeps failing."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from sqlmodel import Session, col, select

from portal.db import TenantContext, tenant_session
from portal.integrations.job_queue import defer_job
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.services.accounts.auth import SessionUser
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.permissions import Action, require
from portal.services.core.validation import parse_uuid
from portal.services.outbound import signing
from portal.services.outbound.targets import RefusedTarget, check_url
from portal.settings import get_settings

DELIVER_TASK = "deliver_outbound_webhook"
QUEUE = "outbound-webhooks"
EVENTS = (
    "version.approved",
    "version.changes_requested",
    "comment.created",
)
TIMEOUT_SECONDS = 10.0
EXCERPT_CHARS = 500
MAX_BACKOFF_SECONDS = 3600


@dataclass(frozen=True)
class NewEndpoint:
    id: str
    secret: str  # shown once
    endpoint: WebhookEndpoint  # as stored (never holds the plain secret)


def register_endpoint(*, user: SessionUser, url: str, events: list[str]) -> NewEndpoint:
    """A new endpoint of the admin's own tenant; its signing secret is returned once."""
    require(user, Action.MANAGE_USERS)
    target = check_url(url)
    chosen = sorted(set(events))
    if not chosen or any(e not in EVENTS for e in chosen):
        raise InvalidInput(f"Choose events among: {', '.join(EVENTS)}.")
    secret = signing.new_secret()
    row = WebhookEndpoint(
        tenant_id=user.tenant_id,
        url=target,
        events=chosen,
        secret=signing.seal(secret),
        created_by=user.user_id,
    )
    with tenant_session(user.context) as session:
        session.add(row)
        session.flush()
        session.refresh(row)
    return NewEndpoint(id=str(row.id), secret=secret, endpoint=row)


def list_endpoints(*, user: SessionUser) -> list[WebhookEndpoint]:
    """The endpoints in the admin's scope (never their secrets)."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        return list(
            session.exec(
                select(WebhookEndpoint).order_by(col(WebhookEndpoint.created_at).desc()).limit(200)
            ).all()
        )


def emit(*, session: Session, tenant_id: UUID, event_type: str, data: dict[str, Any]) -> int:
    """Queue `event_type` for each active endpoint of `tenant_id` that wants it, in the caller's
    transaction (nothing is sent if it rolls back); returns how many deliveries."""
    assert event_type in EVENTS, event_type
    endpoints = session.exec(
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.tenant_id) == tenant_id)
        .where(col(WebhookEndpoint.status) == "active")
        .where(col(WebhookEndpoint.events).any(event_type))  # type: ignore[arg-type]
    ).all()
    now = datetime.now(UTC)
    for endpoint in endpoints:
        delivery = WebhookDelivery(
            tenant_id=tenant_id, endpoint_id=endpoint.id, event_type=event_type, payload={}
        )
        delivery.payload = {
            "type": event_type,
            "timestamp": now.isoformat(),
            "data": json.loads(json.dumps(data, default=str)),
        }
        session.add(delivery)
        session.flush()
        _defer(session, delivery, at=None)
    return len(endpoints)


def _defer(session: Session, delivery: WebhookDelivery, at: datetime | None) -> None:
    defer_job(
        session,
        task=DELIVER_TASK,
        queue=QUEUE,
        args={"delivery_id": str(delivery.id), "tenant_id": str(delivery.tenant_id)},
        scheduled_at=at,
    )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 30 * 2 ** max(0, attempts - 1)))


def deliver(*, delivery_id: UUID, tenant_id: UUID) -> str:
    """One attempt at one delivery (a job): sign, POST, record; retry later or give up."""
    ctx = TenantContext(tenant_id=tenant_id)
    settings = get_settings()
    with tenant_session(ctx) as session:
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.status in ("succeeded", "dead"):
            return "gone"
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
        if endpoint is None or endpoint.status != "active":
            delivery.status, delivery.last_error = "dead", "endpoint disabled"
            session.add(delivery)
            return "dead"
        url, secret = endpoint.url, signing.unseal(endpoint.secret)
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        message_id = f"msg_{delivery.id.hex}"
    status_code, latency, excerpt, error = _post(url, secret, message_id, body)
    ok = status_code is not None and 200 <= status_code < 300
    with tenant_session(ctx) as session:
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None:
            return "gone"
        delivery.attempts += 1
        delivery.last_attempt_at = datetime.now(UTC)
        delivery.response_status, delivery.latency_ms = status_code, latency
        delivery.response_excerpt, delivery.last_error = excerpt, error
        if ok:
            delivery.status, delivery.next_attempt_at = "succeeded", None
            endpoint.consecutive_failures = 0
        elif delivery.attempts >= settings.outbound_webhook_max_attempts:
            delivery.status, delivery.next_attempt_at = "dead", None
            endpoint.consecutive_failures += 1
        else:
            delivery.status = "failed"
            delivery.next_attempt_at = datetime.now(UTC) + backoff(delivery.attempts)
            endpoint.consecutive_failures += 1
            _defer(session, delivery, at=delivery.next_attempt_at)
        if endpoint.consecutive_failures >= settings.outbound_webhook_disable_after:
            endpoint.status, endpoint.disabled_at = "disabled", datetime.now(UTC)
        session.add_all([delivery, endpoint])
        return delivery.status


def _post(
    url: str, secret: str, message_id: str, body: bytes
) -> tuple[int | None, int, str, str | None]:
    """(status, latency ms, response excerpt, error) of one signed POST."""
    started = time.monotonic()
    try:
        check_url(url)  # again: the name may resolve somewhere else now
        headers = signing.headers(secret, message_id, int(time.time()), body)
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(url, content=body, headers=headers)
        latency = int((time.monotonic() - started) * 1000)
        return response.status_code, latency, response.text[:EXCERPT_CHARS], None
    except RefusedTarget as exc:
        return None, 0, "", exc.user_message
    except httpx.HTTPError as exc:
        latency = int((time.monotonic() - started) * 1000)
        return None, latency, "", f"{type(exc).__name__}: {str(exc)[:300]}"


def replay(*, user: SessionUser, delivery_id: str | UUID) -> WebhookDelivery:
    """Send a delivery again (a new attempt series) — from the admin's deliveries list."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        delivery = session.get(WebhookDelivery, parse_uuid(delivery_id), with_for_update=True)
        if delivery is None:
            raise NotFound()
        delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, None
        session.add(delivery)
        session.flush()
        _defer(session, delivery, at=None)
        return delivery


def deliveries(
    *, user: SessionUser, endpoint_id: str | UUID, limit: int = 100
) -> list[WebhookDelivery]:
    """An endpoint's latest deliveries (admins of its tenant); NotFound outside the scope."""
    require(user, Action.MANAGE_USERS)
    with tenant_session(user.context) as session:
        if session.get(WebhookEndpoint, parse_uuid(endpoint_id)) is None:
            raise NotFound()
        return list(
            session.exec(
                select(WebhookDelivery)
                .where(col(WebhookDelivery.endpoint_id) == parse_uuid(endpoint_id))
                .order_by(col(WebhookDelivery.created_at).desc())
                .limit(limit)
            ).all()
        )
