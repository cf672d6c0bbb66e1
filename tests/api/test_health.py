"""/healthz and X-Portal-Worker (issue 16 item 13, issue 17 §2): anyone gets pass/fail only;
the operator (bearer HEALTHZ_TOKEN or a signed-in studio admin) also gets the worker id, the
job worker's heartbeat and the integrations; a dead in-process worker makes /healthz 503."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from portal.api import build_api, health
from portal.api._worker import with_worker_header, worker_id
from portal.db import TenantContext
from portal.integrations import worker_status
from portal.jobs import worker
from portal.jobs.worker import STALE_SECONDS, Supervisor, inprocess_worker
from portal.services.accounts.auth import SESSION_COOKIE, open_session
from portal.settings import get_settings
from tests.factories import Studio
from tests.jobs.support import run_async

pytestmark = pytest.mark.usefixtures("database")
TOKEN = "operator-token-for-tests-0123456789"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
PUBLIC_KEYS = {"status", "database", "redis", "job_worker"}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def operator_token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HEALTHZ_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield TOKEN
    monkeypatch.undo()
    get_settings.cache_clear()


def signed_in(client_for, tenant_id, user_id) -> TestClient:
    """A client of the API as served, with a session opened for this user."""
    http = client_for(app=with_worker_header(build_api()))
    token = open_session(TenantContext(tenant_id=tenant_id, user_id=user_id)).token
    http.cookies.set(SESSION_COOKIE, token)
    return http


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}],
    ids=["anonymous", "wrong-token", "not-bearer"],
)
def test_anyone_gets_pass_fail_only(operator_token, headers, worker_client: TestClient) -> None:
    response = worker_client.get("/healthz", headers=headers)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
        "job_worker": "not in this process",
    }
    assert "x-portal-worker" not in response.headers
    assert "x-portal-worker" not in worker_client.get("/nope", headers=headers).headers


def test_no_token_configured_means_no_bearer_is_an_operator(
    monkeypatch, worker_client: TestClient
) -> None:
    monkeypatch.setattr(get_settings(), "healthz_token", None)
    response = worker_client.get("/healthz", headers={"Authorization": "Bearer "})
    assert set(response.json()) == PUBLIC_KEYS and "x-portal-worker" not in response.headers


def test_operator_token_sees_the_worker_and_integrations(
    operator_token, worker_client: TestClient
) -> None:
    response = worker_client.get("/healthz", headers=OPERATOR)
    body = response.json()
    assert response.headers["x-portal-worker"] == worker_id() == body["worker"]
    assert body["integrations"]["mux"].startswith("not configured")
    assert body["redis"] == "not configured (state in process memory)"
    assert worker_client.get("/nope", headers=OPERATOR).headers["x-portal-worker"] == worker_id()


def test_a_signed_in_studio_admin_sees_details_an_agency_member_does_not(
    studio: Studio,
    client_for,
) -> None:
    admin = signed_in(client_for, studio.studio.id, studio.admin.id).get("/healthz").json()
    assert admin["worker"] == worker_id() and "integrations" in admin
    member = signed_in(client_for, studio.agency.id, studio.member.id).get("/healthz").json()
    assert set(member) == PUBLIC_KEYS


def test_a_stale_heartbeat_makes_healthz_503(
    operator_token, monkeypatch, worker_client: TestClient
) -> None:
    clock = Clock()
    supervisor = Supervisor(run=lambda: asyncio.sleep(0), clock=clock)
    monkeypatch.setattr(worker_status, "current_job_worker", supervisor)
    supervisor.beat()
    assert worker_client.get("/healthz").json()["job_worker"] == "ok"
    clock.now += STALE_SECONDS + 1
    response = worker_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "redis": "not configured",
        "job_worker": "stale",
    }
    detail = worker_client.get("/healthz", headers=OPERATOR).json()["job_worker_detail"]
    assert detail["last_heartbeat_seconds_ago"] == STALE_SECONDS + 1


def test_a_worker_crashed_and_waiting_to_restart_goes_stale(
    monkeypatch, start_hooks, worker_client: TestClient
) -> None:
    monkeypatch.setenv("PORTAL_INPROCESS_WORKER", "true")
    get_settings.cache_clear()
    clock = Clock()

    def fault() -> None:
        raise RuntimeError("injected worker fault")

    start_hooks.append(fault)

    async def main() -> tuple[int, dict]:
        crashed, release = asyncio.Event(), asyncio.Event()

        async def backoff(seconds: float) -> None:
            crashed.set()
            await release.wait()

        async with inprocess_worker(sleep=backoff, clock=clock):
            await asyncio.wait_for(crashed.wait(), 30)
            fresh = await asyncio.to_thread(worker_client.get, "/healthz")
            assert fresh.json()["job_worker"] == "ok"  # crashed just now: not yet stale
            clock.now += STALE_SECONDS + 5
            stale = await asyncio.to_thread(worker_client.get, "/healthz")
            return stale.status_code, stale.json()

    try:
        status, body = run_async(main)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert status == 503 and body["job_worker"] == "stale" and body["status"] == "degraded"


def test_a_failed_database_check_is_logged(monkeypatch, caplog, worker_client: TestClient) -> None:
    monkeypatch.setattr(health, "DATABASE_CHECK", "SELECT 1/0")
    with caplog.at_level(logging.WARNING, logger="portal.api.health"):
        response = worker_client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"
    record = next(r for r in caplog.records if r.name == "portal.api.health")
    assert record.getMessage() == "/healthz: the database check failed"
    assert "division by zero" in str(record.exc_info[1])


@pytest.fixture()
def start_hooks(monkeypatch: pytest.MonkeyPatch) -> list:
    hooks: list = []
    monkeypatch.setattr(worker, "start_hooks", hooks)
    return hooks
