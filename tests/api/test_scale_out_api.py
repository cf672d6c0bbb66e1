"""Scale-out plumbing over HTTP: responses name their worker (to the operator); /healthz
checks Redis."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from portal.api._worker import worker_id
from portal.settings import get_settings

pytestmark = pytest.mark.usefixtures("database")


def test_every_response_names_the_worker_that_answered(
    monkeypatch: pytest.MonkeyPatch, worker_client: TestClient
) -> None:
    # Only for the operator (HEALTHZ_TOKEN as a bearer): see tests/api/test_health.py.
    monkeypatch.setattr(get_settings(), "healthz_token", SecretStr("operator"))
    operator = {"Authorization": "Bearer operator"}
    response = worker_client.get("/healthz", headers=operator)
    assert response.headers["x-portal-worker"] == worker_id() == response.json()["worker"]
    assert len(worker_id()) == 12
    assert worker_client.get("/nope", headers=operator).headers["x-portal-worker"]


def test_healthz_without_redis_says_state_is_in_memory(
    monkeypatch: pytest.MonkeyPatch, worker_client: TestClient
) -> None:
    monkeypatch.setattr(get_settings(), "redis_url", None)
    body = worker_client.get("/healthz").json()
    assert body["status"] == "ok" and body["redis"].startswith("not configured")


def test_healthz_is_degraded_when_redis_does_not_answer(
    monkeypatch: pytest.MonkeyPatch, worker_client: TestClient
) -> None:
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")
    response = worker_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unreachable" and response.json()["database"] == "ok"
