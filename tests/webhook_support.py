"""Signed webhook deliveries as Mux and Resend (Svix) send them, for tests and the benchmark."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from portal.db import tenant_session
from portal.integrations.webhook_signatures import mux_signature
from portal.models import WebhookEvent
from portal.services.operations.webhooks import ingest_webhook_event

MUX_SECRET = "mux-test-webhook-secret"
RESEND_SECRET = "whsec_" + base64.b64encode(b"resend-test-webhook-secret-bytes").decode()


def mux_event(event_type: str, *, asset_id: uuid.UUID | None, mux_id: str, **data: Any) -> dict:
    """A Mux event body; our asset id travels as passthrough."""
    body: dict[str, Any] = {"id": mux_id, "passthrough": str(asset_id) if asset_id else None}
    if event_type == "video.upload.asset_created":
        body = {
            "id": f"upload-{mux_id}",
            "asset_id": mux_id,
            "new_asset_settings": {"passthrough": str(asset_id) if asset_id else None},
        }
    body.update(data)
    return {"type": event_type, "id": str(uuid.uuid4()), "object": {"type": "asset"}, "data": body}


def mux_request(payload: dict | bytes, *, secret: str = MUX_SECRET, at: int | None = None):
    """(body, headers) for a Mux delivery."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return body, {
        "mux-signature": mux_signature(body, secret, at),
        "content-type": "application/json",
    }


def resend_event(event_type: str, email_id: str) -> dict:
    return {
        "type": event_type,
        "created_at": datetime.now(UTC).isoformat(),
        "data": {"email_id": email_id, "to": ["someone@example.test"], "subject": "Update"},
    }


def resend_request(
    payload: dict | bytes, *, msg_id: str | None = None, secret: str = RESEND_SECRET, at=None
):
    """(body, headers) for a Resend delivery, signed by the svix package itself."""
    from svix.webhooks import Webhook

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    when = datetime.fromtimestamp(at if at is not None else time.time(), UTC)
    signature = Webhook(secret).sign(msg_id, when, body.decode())
    headers = {
        "svix-id": msg_id,
        "svix-timestamp": str(int(when.timestamp())),
        "svix-signature": signature,
        "content-type": "application/json",
    }
    return body, headers


def store(source: str, payload: dict, event_id: str | None = None) -> uuid.UUID:
    """Store (and queue) an event as the webhook route does; its row id."""
    row_id = ingest_webhook_event(
        source=source, event_id=event_id or payload.get("id") or str(uuid.uuid4()), payload=payload
    )
    assert row_id is not None
    return row_id


def event(row_id: uuid.UUID) -> WebhookEvent:
    """A stored event as it is now."""
    with tenant_session(None) as session:
        return session.exec(select(WebhookEvent).where(WebhookEvent.id == row_id)).one()
