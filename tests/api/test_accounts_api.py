"""/api/auth/{magic-link,magic,forgot,reset,invite} over HTTP against the real database."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.models import OutboxEmail
from portal.services.accounts import users
from portal.services.accounts.auth import SESSION_COOKIE, resolve_session, sign_in
from tests.factories import PASSWORD, make_tenant, make_user
from tests.services.accounts.test_accounts import NEW_PASSWORD, last_link

pytestmark = pytest.mark.usefixtures("database")


def query(response) -> dict[str, str]:
    assert response.status_code == 303
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def test_magic_link_request_answers_the_same_for_unknown_email(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    known = client.post("/api/auth/magic-link", data={"email": user.email})
    unknown = client.post("/api/auth/magic-link", data={"email": "ghost@example.test"})
    assert query(known) == query(unknown) == {"notice": "magic_sent"}


def test_magic_link_sign_in_sets_cookie_once(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    client.post("/api/auth/magic-link", data={"email": user.email})
    token = last_link(user.email, "/login/magic")
    first = client.post("/api/auth/magic", data={"token": token})
    assert first.headers["location"] == "/"
    assert resolve_session(first.cookies[SESSION_COOKIE]).user_id == user.id
    again = client.post("/api/auth/magic", data={"token": token})
    assert query(again) == {"error": "link"}
    assert "set-cookie" not in again.headers


def email_body(email: str) -> str:
    with tenant_session(None) as session:
        return session.scalar(
            select(OutboxEmail.text_body)
            .where(OutboxEmail.to_address == email)
            .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
        )


def test_magic_link_returns_to_the_page_asked_for(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    asked = "/asset?id=0193&compare=0194"
    sent = client.post("/api/auth/magic-link", data={"email": user.email, "next": asked})
    assert query(sent) == {"notice": "magic_sent", "next": asked}
    link = re.search(r"\S*/login/magic\?\S+", email_body(user.email)).group(0)
    assert parse_qs(urlsplit(link).query)["next"] == [asked]
    token = last_link(user.email, "/login/magic")
    used = client.post("/api/auth/magic", data={"token": token, "next": asked})
    assert used.headers["location"] == asked
    assert resolve_session(used.cookies[SESSION_COOKIE]).user_id == user.id


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\t/evil.example"])
def test_magic_link_next_cannot_leave_the_site(client: TestClient, target: str) -> None:
    user = make_user(tenant=make_tenant())
    client.post("/api/auth/magic-link", data={"email": user.email, "next": target})
    assert "next=" not in email_body(user.email)
    token = last_link(user.email, "/login/magic")
    used = client.post("/api/auth/magic", data={"token": token, "next": target})
    assert used.headers["location"] == "/"


@pytest.mark.parametrize("token", ["", "x" * 5000, "../../../etc/passwd", "%00"])
def test_bad_tokens_are_clear_errors(client: TestClient, token: str) -> None:
    for path in ("/api/auth/magic", "/api/auth/reset", "/api/auth/invite"):
        response = client.post(
            path,
            data={"token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "name": "X"},
        )
        assert response.status_code == 303
        assert query(response).get("error") in {"link", "missing"}


def test_reset_flow_and_weak_password_message(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    assert query(client.post("/api/auth/forgot", data={"email": user.email})) == {
        "notice": "reset_sent"
    }
    token = last_link(user.email, "/reset")
    weak = client.post(
        "/api/auth/reset", data={"token": token, "password": "short", "confirm": "short"}
    )
    assert weak.headers["location"].startswith("/reset?")
    assert query(weak) == {"token": token, "error": "short"}
    done = client.post(
        "/api/auth/reset", data={"token": token, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert query(done) == {"notice": "password_reset"}
    assert sign_in(email=user.email, password=NEW_PASSWORD).token


def test_forgot_with_malformed_email(client: TestClient) -> None:
    response = client.post("/api/auth/forgot", data={"email": "nope"})
    assert response.headers["location"].startswith("/forgot?")
    assert query(response) == {"error": "bad_email"}


def test_invite_acceptance_signs_in(client: TestClient) -> None:
    studio = make_tenant(type="admin")
    admin = resolve_session(
        sign_in(email=make_user(tenant=studio, role="admin").email, password=PASSWORD).token
    )
    agency = make_tenant(managed_by=studio)
    email = f"invitee.{agency.id.hex}@example.test"
    users.invite_user(user=admin, tenant_id=str(agency.id), email=email, name="", role="agency")
    token = last_link(email, "/invite")
    mismatch = client.post(
        "/api/auth/invite",
        data={"token": token, "name": "In Vitee", "password": NEW_PASSWORD, "confirm": "x"},
    )
    assert query(mismatch)["error"] == "mismatch"
    assert "next" not in query(mismatch)
    accepted = client.post(
        "/api/auth/invite",
        data={
            "token": token,
            "name": "In Vitee",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "next": "/projects?status=active",
        },
    )
    assert accepted.headers["location"] == "/projects?status=active"
    who = resolve_session(accepted.cookies[SESSION_COOKIE])
    assert who.tenant_id == agency.id and who.name == "In Vitee"


def test_login_is_throttled_with_a_clear_code(client: TestClient) -> None:
    user = make_user(tenant=make_tenant())
    codes = [
        query(client.post("/api/auth/login", data={"email": user.email, "password": "no"}))["error"]
        for _ in range(6)
    ]
    assert codes == ["credentials"] * 5 + ["throttled"]
    right = client.post("/api/auth/login", data={"email": user.email, "password": PASSWORD})
    assert query(right)["error"] == "throttled"


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/magic-link",
        "/api/auth/forgot",
        "/api/auth/magic",
        "/api/auth/reset",
        "/api/auth/invite",
    ],
)
def test_cross_site_posts_are_refused(client: TestClient, path: str) -> None:
    response = client.post(
        path, data={"email": "a@b.test"}, headers={"origin": "https://evil.example"}
    )
    assert query(response)["error"] == "origin"
