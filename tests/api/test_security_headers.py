"""Security headers on every HTTP response of the wrapped backend: pages, static files, our API,
refusals; the share page keeps its own policy and `no-referrer`."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from portal.api._headers import APP_POLICY, secured
from tests.api.reflex_standin import Seen, wrapped_backend

pytestmark = pytest.mark.usefixtures("database")
APP_HEADERS = {
    "content-security-policy": APP_POLICY.decode(),
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-content-type-options": "nosniff",
}


@pytest.fixture()
def client(tmp_path: Path, client_for) -> TestClient:
    """A client of the Reflex stand-in inside the portal's wrapping (a static file served)."""
    (tmp_path / "app.js").write_text("console.log('portal')")
    return client_for(app=wrapped_backend(tmp_path, Seen()))


@pytest.mark.parametrize(
    ("path", "status"),
    [("/projects", 200), ("/assets/app.js", 200), ("/healthz", 200), ("/nowhere", 404)],
)
def test_pages_static_files_and_api_carry_the_app_headers(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert {name: response.headers.get(name) for name in APP_HEADERS} == APP_HEADERS


def test_refused_uploads_carry_them_too(client: TestClient) -> None:
    response = client.post("/_upload", content=b"x")
    assert response.status_code == 401
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == APP_POLICY.decode()


def test_the_share_page_keeps_its_own_policy_and_no_referrer(client: TestClient) -> None:
    response = client.get("/s/not-a-real-token")
    assert response.status_code == 404
    assert response.headers["referrer-policy"] == "no-referrer"
    [policy] = response.headers.get_list("content-security-policy")
    assert policy.startswith("default-src 'self'") and "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_route_policy_without_frame_ancestors_gets_it_added() -> None:
    headers = secured([(b"content-security-policy", b"default-src 'none'")])
    assert headers[0] == (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
    assert [name for name, _ in headers].count(b"content-security-policy") == 1


def test_the_reflex_app_is_wrapped_by_around() -> None:
    from portal.api import around
    from portal.portal import app

    assert app.api_transformer is around
