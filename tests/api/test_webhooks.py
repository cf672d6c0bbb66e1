"""POST /api/webhooks/{mux,resend}: verify, store once, queue, answer fast; bad input is clear."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.models import WebhookEvent
from tests.jobs.support import waiting_batch_jobs
from tests.webhook_support import (
    mux_request,
    resend_event,
    resend_request,
)

pytestmark = pytest.mark.usefixtures("database", "webhook_secrets")


def stored(source: str, event_id: str) -> list[WebhookEvent]:
    with tenant_session(None) as session:
        query = select(WebhookEvent).where(
            WebhookEvent.source == source, WebhookEvent.event_id == event_id
        )
        return list(session.exec(query))


def test_mux_event_is_stored_and_queued_once(client: TestClient) -> None:
    payload = {"id": str(uuid.uuid4()), "type": "video.asset.ready", "data": {"id": "m1"}}
    body, headers = mux_request(payload)
    first = client.post("/api/webhooks/mux", content=body, headers=headers)
    assert first.status_code == 202 and first.json() == {"status": "accepted"}
    again = client.post("/api/webhooks/mux", content=body, headers=headers)
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    [event] = stored("mux", payload["id"])
    assert event.status == "received" and event.payload == payload
    assert event.next_attempt_at is not None
    assert waiting_batch_jobs() == 1  # the batch job that will take it (one waits at most)


def test_resend_event_id_is_the_svix_id(client: TestClient) -> None:
    body, headers = resend_request(resend_event("email.delivered", "e-1"), msg_id="msg_api_1")
    assert client.post("/api/webhooks/resend", content=body, headers=headers).status_code == 202
    assert client.post("/api/webhooks/resend", content=body, headers=headers).status_code == 200
    assert len(stored("resend", "msg_api_1")) == 1


@pytest.mark.parametrize("source", ["mux", "resend"])
def test_bad_signature_is_401_and_stores_nothing(client: TestClient, source: str) -> None:
    if source == "mux":
        body, headers = mux_request({"id": "sig-bad", "type": "video.asset.ready"})
        headers["mux-signature"] = headers["mux-signature"][:-4] + "0000"
    else:
        body, headers = resend_request({"type": "email.sent"}, msg_id="sig-bad")
        headers["svix-signature"] = "v1,AAAA"
    response = client.post(f"/api/webhooks/{source}", content=body, headers=headers)
    assert response.status_code == 401 and response.json() == {"status": "invalid signature"}
    assert stored(source, "sig-bad") == []
    missing = client.post(f"/api/webhooks/{source}", content=body)
    assert missing.status_code == 401


def test_huge_body_is_413(client: TestClient) -> None:
    body, headers = mux_request({"id": "huge", "pad": "x" * 300_000})
    assert client.post("/api/webhooks/mux", content=body, headers=headers).status_code == 413

    def chunks():  # no Content-Length: the stream is cut off at the limit
        yield body

    response = client.post("/api/webhooks/mux", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert stored("mux", "huge") == []


def test_signed_non_json_body_is_recorded_dead(client: TestClient) -> None:
    body, headers = mux_request(b"<xml>not json</xml>")
    response = client.post("/api/webhooks/mux", content=body, headers=headers)
    assert response.status_code == 400
    again = client.post("/api/webhooks/mux", content=body, headers=headers)
    assert again.status_code == 400
    with tenant_session(None) as session:
        rows = session.exec(
            select(WebhookEvent).where(WebhookEvent.payload["body"].astext == body.decode())
        ).all()
    assert len(rows) == 1
    assert rows[0].status == "dead" and rows[0].last_error == "body is not a JSON object"
    assert rows[0].event_id.startswith("sha256:")


def test_mux_event_without_id_is_recorded_dead(client: TestClient) -> None:
    body, headers = mux_request({"type": "video.asset.ready", "data": {"id": "no-id-" + "x"}})
    assert client.post("/api/webhooks/mux", content=body, headers=headers).status_code == 400
    with tenant_session(None) as session:
        row = session.exec(
            select(WebhookEvent).where(WebhookEvent.payload["data"]["id"].astext == "no-id-x")
        ).one()
    assert row.status == "dead" and row.last_error == "event has no id"


def test_unconfigured_source_is_503(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.settings import get_settings

    monkeypatch.delenv("MUX_WEBHOOK_SECRET")
    get_settings.cache_clear()
    body, headers = mux_request({"id": "x", "type": "video.asset.ready"})
    assert client.post("/api/webhooks/mux", content=body, headers=headers).status_code == 503
