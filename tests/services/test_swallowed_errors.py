"""Handlers that swallow an error (to fail one event, one form or one sign-in alone) still say
in the log what they swallowed, with ids to act on and never a secret."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from portal.api._http import read_form
from portal.db import tenant_session
from portal.services.accounts.passwords import hash_password, verify_and_upgrade, verify_password
from portal.services.operations import webhook_processing
from tests.factories import make_graph
from tests.webhook_support import event, mux_event, store

pytestmark = pytest.mark.usefixtures("database")


def apply_only(ids: list[uuid.UUID]) -> None:
    """Apply these stored events as one batch (other tests' pending events stay out of it)."""
    with tenant_session(None) as session:
        rows = session.execute(
            text(
                "SELECT id, source, payload, retry_count FROM webhook_events"
                " WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"
            ),
            {"ids": ids},
        ).all()
        webhook_processing._apply_all(session, rows, max_attempts=3)


def test_batch_fallback_logs_why_and_which_events(monkeypatch, caplog) -> None:
    graph = make_graph()
    ids = [
        store("mux", mux_event(kind, asset_id=graph.asset.id, mux_id=f"mux-{uuid.uuid4().hex}"))
        for kind in ("video.asset.created", "video.asset.ready")
    ]

    def bulk_breaks(**_: object) -> None:
        raise RuntimeError("bulk path broke")

    monkeypatch.setattr(webhook_processing, "handle_mux_events", bulk_breaks)
    with caplog.at_level(logging.WARNING, logger=webhook_processing.__name__):
        apply_only(ids)
    [line] = [r.getMessage() for r in caplog.records if "fell back" in r.getMessage()]
    assert line.startswith("webhook batch of 2 events fell back to one event at a time")
    assert "(RuntimeError: bulk path broke)" in line
    assert all(str(i) in line for i in ids)
    assert [event(i).status for i in ids] == ["processed", "processed"]  # one at a time


def test_a_failed_event_logs_its_id_attempt_and_error(monkeypatch, caplog) -> None:
    row_id = store("mux", mux_event("video.asset.ready", asset_id=None, mux_id="nobody-log"))

    def broken(**_: object) -> None:
        raise RuntimeError("handler exploded")

    monkeypatch.setitem(webhook_processing.HANDLERS, "mux", broken)
    with caplog.at_level(logging.WARNING, logger=webhook_processing.__name__):
        apply_only([row_id])
    assert caplog.messages == [
        f"webhook event {row_id} (mux) failed attempt 1 of 3, will retry: "
        "RuntimeError: handler exploded"
    ]


def test_unreadable_password_hash_is_logged_without_the_hash(caplog) -> None:
    salt_and_digest = "c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0"
    unreadable = f"$scrypt$ln=16,r=8,p=1${salt_and_digest}"  # a scheme pwdlib does not read
    with caplog.at_level(logging.WARNING, logger="portal.services.accounts.passwords"):
        assert verify_and_upgrade("pw", unreadable, subject="user 42") == (False, None)
        assert verify_password("pw", "not a hash at all") is False
    first, second = caplog.messages
    assert first.startswith("stored password hash of user 42 is unreadable (scheme '$scrypt')")
    assert second.startswith("stored password hash of an unnamed account is unreadable")
    assert "scheme 'unknown'" in second
    assert salt_and_digest not in first and "not a hash at all" not in second


def test_a_readable_hash_logs_nothing(caplog) -> None:
    stored = hash_password("correct horse battery")
    with caplog.at_level(logging.DEBUG, logger="portal.services.accounts.passwords"):
        assert verify_password("wrong", stored) is False
        assert verify_password("correct horse battery", stored) is True
    assert caplog.messages == []


def test_a_refused_form_is_logged_with_route_and_reason_not_its_body(caplog, client_for) -> None:
    async def endpoint(request: Request) -> PlainTextResponse:
        return PlainTextResponse("none" if await read_form(request) is None else "form")

    app = Starlette(routes=[Route("/api/form", endpoint, methods=["POST"])])
    with caplog.at_level(logging.WARNING, logger="portal.api._http"):
        with client_for(app=app) as client:
            response = client.post(
                "/api/form",
                content=b"password=hunter2-secret",
                headers={"content-type": "multipart/form-data"},  # no boundary
            )
    assert response.text == "none"
    [line] = caplog.messages
    assert line.startswith("form refused on POST /api/form (multipart/form-data, 23 bytes): ")
    assert "Missing boundary in multipart." in line
    assert "hunter2" not in line


def test_a_malformed_event_is_logged_as_dead_alone_and_in_a_batch(caplog) -> None:
    def malformed() -> uuid.UUID:
        return store("mux", {"type": "video.asset.ready", "id": str(uuid.uuid4())})  # no data

    alone, in_batch = malformed(), malformed()
    graph = make_graph()
    fine = store("mux", mux_event("video.asset.ready", asset_id=graph.asset.id, mux_id="mux-ok"))
    with caplog.at_level(logging.WARNING, logger="portal.services"):
        apply_only([alone])  # one event: applied on its own
        apply_only([in_batch, fine])  # two: the bulk Mux path
    assert caplog.messages == [
        f"webhook event {row_id} (mux) is malformed, marked dead: "
        "video.asset.ready without a data object"
        for row_id in (alone, in_batch)
    ]
    assert [event(i).status for i in (alone, in_batch, fine)] == ["dead", "dead", "processed"]
