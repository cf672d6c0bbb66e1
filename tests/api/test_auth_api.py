"""/api/auth/* and /healthz over HTTP (Starlette test client, real database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from portal.api import build_api
from portal.services.accounts import auth
from portal.services.accounts.auth import SESSION_COOKIE, resolve_session
from portal.settings import get_settings
from tests.concurrency_support import VerifierGate
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")


def error_of(location: str) -> str:
    return parse_qs(urlsplit(location).query).get("error", [""])[0]


def test_login_sets_an_httponly_session_cookie(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    response = client.post(
        "/api/auth/login", data={"email": user.email, "password": PASSWORD, "next": "/projects"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/projects"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert response.headers["cache-control"] == "no-store"
    token = response.cookies[SESSION_COOKIE]
    assert resolve_session(token) is not None


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({}, "missing"),
        ({"email": "", "password": ""}, "missing"),
        ({"email": "someone@example.test", "password": "nope"}, "credentials"),
    ],
)
def test_bad_login_redirects_with_a_message_code(client: TestClient, form: dict, code: str) -> None:
    response = client.post("/api/auth/login", data=form)
    assert response.status_code == 303
    assert error_of(response.headers["location"]) == code
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_wrong_password_is_not_a_500(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    response = client.post("/api/auth/login", data={"email": user.email, "password": "x" * 2000})
    assert response.status_code == 303
    assert error_of(response.headers["location"]) == "credentials"


def test_garbage_body_is_not_a_500(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login",
        content=b"\xff\x00" * 100,
        headers={"content-type": "multipart/form-data; boundary=zzz"},
    )
    assert response.status_code == 303
    assert error_of(response.headers["location"]) == "missing"


def test_cross_site_login_is_refused(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    response = client.post(
        "/api/auth/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"origin": "https://evil.example"},
    )
    assert error_of(response.headers["location"]) == "origin"
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/api/auth/logout",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/login?next=//evil.example",
    ],
)
def test_next_cannot_leave_the_site(client: TestClient, target: str) -> None:
    user = make_user(tenant=make_tenant())
    response = client.post(
        "/api/auth/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.headers["location"] == "/"


def test_next_keeps_the_query_of_the_page_asked_for(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    asked = "/asset?id=0193&compare=0194"
    wrong = client.post(
        "/api/auth/login", data={"email": user.email, "password": "no", "next": asked}
    )
    assert parse_qs(urlsplit(wrong.headers["location"]).query)["next"] == [asked]
    right = client.post(
        "/api/auth/login", data={"email": user.email, "password": PASSWORD, "next": asked}
    )
    assert right.headers["location"] == asked


def test_logout_revokes_and_clears_the_cookie(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    login = client.post("/api/auth/login", data={"email": user.email, "password": PASSWORD})
    token = login.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, token)
    response = client.post("/api/auth/logout")
    assert response.status_code == 303 and "notice=signed_out" in response.headers["location"]
    assert (
        'portal_session=""' in response.headers["set-cookie"]
        or "Max-Age=0" in response.headers["set-cookie"]
    )
    assert resolve_session(token) is None


def test_healthz_reports_database_and_integrations_without_secrets(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Integrations are shown to the operator only (tests/api/test_health.py).
    monkeypatch.setattr(get_settings(), "healthz_token", SecretStr("operator"))
    response = client.get("/healthz", headers={"Authorization": "Bearer operator"})
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["integrations"]["mux"].startswith("not configured")
    assert body["integrations"]["resend"].startswith("not configured")


def test_30_concurrent_wrong_passwords_reach_the_check_at_most_5_times(
    monkeypatch, client_for
) -> None:
    user = make_user(tenant=make_tenant())
    gate = VerifierGate(auth.verify_and_upgrade, total=30)
    monkeypatch.setattr(auth, "verify_and_upgrade", gate)
    app = build_api()

    def attempt(n: int) -> str:
        client = client_for(app=app, address="198.18.3.1")
        response = client.post("/api/auth/login", data={"email": user.email, "password": "no"})
        return error_of(response.headers["location"])

    codes = gate.run(attempt)
    assert gate.entered == 5
    assert sorted(set(codes)) == ["credentials", "throttled"] and codes.count("credentials") == 5
    right = client_for(app=app, address="198.18.3.2")
    response = right.post("/api/auth/login", data={"email": user.email, "password": PASSWORD})
    assert error_of(response.headers["location"]) == "throttled"
    assert gate.entered == 5


@pytest.mark.parametrize("email", ["a\x00@b.test", "a@b.test\x00"])
def test_login_with_nul_in_the_email_is_a_form_error_not_a_500(
    client: TestClient, email: str
) -> None:
    response = client.post("/api/auth/login", data={"email": email, "password": "whatever"})
    assert response.status_code == 303
    assert error_of(response.headers["location"]) == "bad_email"


def test_login_with_percent_encoded_nul_is_a_form_error(client: TestClient) -> None:
    response = client.post(
        "/api/auth/login",
        content=b"email=a%00@b.test&password=whatever",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 303
    assert error_of(response.headers["location"]) == "bad_email"


def test_magic_link_request_with_nul_is_a_form_error(client: TestClient) -> None:
    response = client.post("/api/auth/magic-link", data={"email": "a\x00@b.test"})
    assert response.status_code == 303
    assert error_of(response.headers["location"]) == "bad_email"
