"""The in-app worker (lifespan task): on by default, off with PORTAL_INPROCESS_WORKER=false."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from portal.db import tenant_session
from portal.jobs.worker import inprocess_worker
from portal.models import WebhookEvent
from portal.services.webhooks import record_webhook_event
from portal.settings import get_settings
from tests.jobs.support import run_async

pytestmark = pytest.mark.usefixtures("database")


def queued_event() -> uuid.UUID:
    with tenant_session(None) as session:
        row_id = record_webhook_event(
            session=session,
            source="mux",
            event_id=str(uuid.uuid4()),
            payload={"type": "video.live_stream.idle"},
            enqueue=True,
        )
    assert row_id is not None
    return row_id


def status_of(row_id: uuid.UUID) -> str:
    with tenant_session(None) as session:
        return session.get(WebhookEvent, row_id).status


async def run_app_for(seconds: float, row_id: uuid.UUID) -> None:
    async with inprocess_worker():
        for _ in range(int(seconds * 10)):
            await asyncio.sleep(0.1)
            if status_of(row_id) != "received":
                return


@pytest.mark.parametrize(("enabled", "expected"), [("false", "received"), ("true", "ignored")])
def test_inprocess_worker_follows_the_setting(
    monkeypatch: pytest.MonkeyPatch, enabled: str, expected: str
) -> None:
    monkeypatch.setenv("PORTAL_INPROCESS_WORKER", enabled)
    get_settings.cache_clear()
    row_id = queued_event()
    run_async(lambda: run_app_for(2.0 if enabled == "false" else 15.0, row_id))
    assert status_of(row_id) == expected
    monkeypatch.undo()
    get_settings.cache_clear()
