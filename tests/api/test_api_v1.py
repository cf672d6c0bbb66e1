"""/api/v1 over HTTP (the app as mounted by portal.api): OpenAPI and local docs, bearer tokens,
scopes, the same permission matrix and RLS as the pages, cursor paging, problem+json errors,
ETag/If-Match, Idempotency-Key, and the per-token rate limit."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from portal.db import tenant_session
from portal.services.accounts import api_tokens
from portal.services.projects.projects import create_project
from tests.api.api_v1_support import ALL_READ, token_for, with_token
from tests.conftest import settings_from
from tests.factories import Studio, make_graph, make_user, ready_version, session_of, unique

pytestmark = pytest.mark.usefixtures("database")
V1 = "/api/v1"


@pytest.fixture()
def member(client_for, studio: Studio):  # type: ignore[no-untyped-def]
    return with_token(client_for(), token_for(studio.member))


@pytest.fixture()
def admin(client_for, studio: Studio):  # type: ignore[no-untyped-def]
    return with_token(client_for(), token_for(studio.admin))


def is_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def test_openapi_31_and_docs_served_locally(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get(f"{V1}/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/projects" in schema["paths"]
    assert "PersonalAccessToken" in schema["components"]["securitySchemes"]
    docs = client.get(f"{V1}/docs")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "http://" not in docs.text and "https://" not in docs.text
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_no_or_bad_token_is_401_problem(client) -> None:  # type: ignore[no-untyped-def]
    body = is_problem(client.get(f"{V1}/projects"), 401, "unauthorized")
    assert body["instance"] == f"{V1}/projects"
    bad = client.get(f"{V1}/projects", headers={"Authorization": "Bearer mmp_nope"})
    is_problem(bad, 401, "unauthorized")
    assert bad.headers["www-authenticate"].startswith("Bearer")
    is_problem(client.get(f"{V1}/no-such-thing"), 404, "not_found")


def test_projects_list_pages_by_cursor_filters_and_sorts(client_for, studio: Studio) -> None:
    with tenant_session(studio.admin_ctx) as session:
        for n in range(5):
            create_project(
                session=session,
                tenant_id=studio.agency.id,
                client_name=f"Client {n % 2}",
                title=f"Zeta {n} {unique('p')}",
                start_date=date.today(),
                end_date=date.today() + timedelta(days=n + 1),
                created_by=studio.admin.id,
            )
    api = with_token(client_for(), token_for(studio.member, ["projects:read"]))
    for sort in ("newest", "title", "client", "end_date"):
        seen: list[str] = []
        cursor = ""
        while True:
            page = api.get(f"{V1}/projects", params={"limit": 2, "sort": sort, "cursor": cursor})
            assert page.status_code == 200, page.text
            body = page.json()
            seen += [p["id"] for p in body["data"]]
            if not body["next_cursor"]:
                break
            cursor = body["next_cursor"]
        assert len(seen) == len(set(seen)) == 6, sort
    titled = api.get(f"{V1}/projects", params={"sort": "title", "limit": 100}).json()["data"]
    assert [p["title"].lower() for p in titled] == sorted(p["title"].lower() for p in titled)
    found = api.get(f"{V1}/projects", params={"search": "Zeta", "client": "client 1"}).json()
    assert {p["client_name"] for p in found["data"]} == {"Client 1"} and len(found["data"]) == 2
    first = api.get(f"{V1}/projects", params={"limit": 1, "sort": "title"}).json()
    is_problem(
        api.get(f"{V1}/projects", params={"sort": "newest", "cursor": first["next_cursor"]}),
        422,
        "invalid_input",
    )
    is_problem(api.get(f"{V1}/projects", params={"cursor": "garbage!"}), 422, "invalid_input")
    is_problem(api.get(f"{V1}/projects", params={"limit": 0}), 422, "validation_failed")
    detail = api.get(f"{V1}/projects/{studio.project.id}").json()
    assert detail["title"] == studio.project.title and detail["start_date"]


def test_review_flow_comments_decisions_and_etags(member, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    old = ready_version(studio)
    new = ready_version(studio)
    deliverables = member.get(f"{V1}/projects/{studio.project.id}/deliverables").json()
    assert deliverables[0]["latest_version_id"] == str(new.id)
    assert [v["number"] for v in deliverables[0]["versions"]] == [1, 2]

    arrow = {"type": "arrow", "color": "red", "points": [[0.25, 0.3], [0.6, 0.7]]}
    drawing = {"v": 1, "shapes": [arrow]}
    made = member.post(
        f"{V1}/versions/{new.id}/comments",
        json={"body": "Trim here", "timecode_seconds": 2.0, "end_seconds": 4.5, "drawing": drawing},
    )
    assert made.status_code == 201, made.text
    comment = made.json()
    assert comment["timecode"] == "00:00:02:00" and comment["end_seconds"] == 4.5
    assert comment["drawing"] is not None and made.headers["location"].endswith(comment["id"])
    reply = member.post(
        f"{V1}/versions/{new.id}/comments", json={"body": "Agreed", "reply_to_id": comment["id"]}
    )
    assert reply.status_code == 201 and reply.json()["reply_to_id"] == comment["id"]
    listed = member.get(f"{V1}/versions/{new.id}/comments").json()
    assert [c["body"] for c in listed] == ["Trim here", "Agreed"]
    is_problem(
        member.post(f"{V1}/versions/{new.id}/comments", json={"body": "x", "timecode_seconds": 99}),
        422,
        "invalid_input",
    )
    is_problem(
        member.post(f"{V1}/versions/{new.id}/comments", json={"body": "x", "extra": 1}),
        422,
        "validation_failed",
    )

    read = member.get(f"{V1}/versions/{new.id}")
    etag = read.headers["etag"]
    approve = {"decision": "approved"}
    stale = member.post(
        f"{V1}/versions/{new.id}/decision", json=approve, headers={"If-Match": '"stale"'}
    )
    is_problem(stale, 412, "precondition_failed")
    done = member.post(f"{V1}/versions/{new.id}/decision", json=approve, headers={"If-Match": etag})
    assert done.status_code == 200 and done.json()["review_status"] == "approved"
    assert done.headers["etag"] != etag
    again = member.post(
        f"{V1}/versions/{new.id}/decision", json=approve, headers={"If-Match": etag}
    )
    is_problem(again, 412, "precondition_failed")
    is_problem(member.post(f"{V1}/versions/{old.id}/decision", json=approve), 409, "old_version")
    ok = member.post(
        f"{V1}/versions/{old.id}/decision", json={**approve, "confirm_old_version": True}
    )
    assert ok.status_code == 200


def test_idempotency_key_replays_the_first_answer(member, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    version = ready_version(studio)
    url = f"{V1}/versions/{version.id}/comments"
    key = {"Idempotency-Key": "comment-1"}
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: member.post(url, json={"body": "Once"}, headers=key), range(4))
        )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]
    created = [a.json()["id"] for a in answers if a.status_code == 201]
    assert len(set(created)) == 1
    assert [c["body"] for c in member.get(url).json()] == ["Once"]
    replay = member.post(url, json={"body": "Once"}, headers=key)
    assert replay.status_code == 201 and replay.json()["id"] == created[0]
    assert replay.headers["idempotent-replayed"] == "true"
    is_problem(
        member.post(url, json={"body": "Different"}, headers=key), 422, "idempotency_key_reused"
    )


def test_share_links_create_list_revoke_with_if_match(member, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    version = ready_version(studio)
    made = member.post(
        f"{V1}/versions/{version.id}/share-links",
        json={"name": "Client", "expires_in_days": 7, "view_limit": 3, "allow_comments": True},
        headers={"Idempotency-Key": "link-1"},
    )
    assert made.status_code == 201, made.text
    link = made.json()
    assert link["url"].startswith("http") and "/s/" in link["url"]
    replay = member.post(
        f"{V1}/versions/{version.id}/share-links",
        json={"name": "Client", "expires_in_days": 7, "view_limit": 3, "allow_comments": True},
        headers={"Idempotency-Key": "link-1"},
    )
    assert replay.json()["id"] == link["id"]
    listed = member.get(f"{V1}/versions/{version.id}/share-links").json()
    assert [x["id"] for x in listed] == [link["id"]] and "url" not in listed[0]
    assert link["url"] not in member.get(f"{V1}/versions/{version.id}/share-links").text
    etag = member.get(f"{V1}/share-links/{link['id']}").headers["etag"]
    is_problem(
        member.post(f"{V1}/share-links/{link['id']}/revoke", headers={"If-Match": '"x"'}),
        412,
        "precondition_failed",
    )
    revoked = member.post(f"{V1}/share-links/{link['id']}/revoke", headers={"If-Match": etag})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_notifications_list_and_mark_read(client_for) -> None:  # type: ignore[no-untyped-def]
    g = make_graph()
    api = with_token(client_for(), token_for(g.user, ["notifications:write"]))
    listed = api.get(f"{V1}/notifications", params={"unread": True}).json()
    assert [n["id"] for n in listed["data"]] == [str(g.notification.id)]
    assert api.post(f"{V1}/notifications/{g.notification.id}/read").status_code == 204
    assert api.get(f"{V1}/notifications", params={"unread": True}).json()["data"] == []
    assert api.get(f"{V1}/notifications").json()["data"][0]["read_at"]


def test_admin_operations_follow_the_permission_matrix(member, admin, studio: Studio) -> None:  # type: ignore[no-untyped-def]
    for path in ("/audit-log", "/job-runs", "/tenants", "/users"):
        is_problem(member.get(V1 + path), 403, "forbidden")
        assert admin.get(V1 + path).status_code == 200, path
    audit = admin.get(f"{V1}/audit-log", params={"entity_type": "projects", "limit": 1}).json()
    assert audit["data"][0]["entity_type"] == "projects"
    tenants = {t["id"] for t in admin.get(f"{V1}/tenants").json()}
    assert {str(studio.studio.id), str(studio.agency.id)} <= tenants
    emails = {u["email"] for u in admin.get(f"{V1}/users").json()}
    assert studio.member.email in emails
    invite = {"tenant_id": str(studio.agency.id), "email": f"{unique('new')[-8:]}@example.test"}
    made = admin.post(f"{V1}/users/invitations", json=invite, headers={"Idempotency-Key": "i1"})
    assert made.status_code == 201, made.text
    again = admin.post(f"{V1}/users/invitations", json=invite, headers={"Idempotency-Key": "i1"})
    assert again.json() == made.json()
    is_problem(member.post(f"{V1}/users/invitations", json=invite), 403, "forbidden")


def test_a_webhook_secret_is_in_the_create_answer_only(member, admin) -> None:  # type: ignore[no-untyped-def]
    body = {"url": "https://93.184.215.14/hook", "events": ["comment.created"]}
    made = admin.post(f"{V1}/webhook-endpoints", json=body)
    assert made.status_code == 201, made.text
    created = made.json()
    assert created["secret"].startswith("whsec_")
    assert made.headers["location"] == f"{V1}/webhook-endpoints/{created['id']}"
    assert created["status"] == "active" and created["events"] == ["comment.created"]
    assert created["created_at"] and created["consecutive_failures"] == 0
    listed = admin.get(f"{V1}/webhook-endpoints")
    assert created["secret"] not in listed.text
    assert [e for e in listed.json() if e["id"] == created["id"]] == [
        {k: v for k, v in created.items() if k != "secret"}
    ]
    assert admin.get(f"{V1}/webhook-endpoints/{created['id']}/deliveries").json() == []
    # A refused target or a member: a problem, and nothing written.
    refused = admin.post(f"{V1}/webhook-endpoints", json={**body, "url": "https://127.0.0.1/x"})
    is_problem(refused, 422, "invalid_input")
    is_problem(member.post(f"{V1}/webhook-endpoints", json=body), 403, "forbidden")
    after = [e["id"] for e in admin.get(f"{V1}/webhook-endpoints").json()]
    assert after == [e["id"] for e in listed.json()]


def test_read_only_tokens_cannot_write(client_for, studio: Studio) -> None:
    version = ready_version(studio)
    g = make_graph(studio.agency)
    api = with_token(client_for(), token_for(studio.member, ALL_READ))
    writes = {
        f"{V1}/versions/{version.id}/comments": {"body": "x"},
        f"{V1}/versions/{version.id}/decision": {"decision": "approved"},
        f"{V1}/versions/{version.id}/share-links": {},
        f"{V1}/share-links/{g.share_link.id}/revoke": None,
        f"{V1}/notifications/{g.notification.id}/read": None,
        f"{V1}/users/invitations": {"tenant_id": str(studio.agency.id), "email": "a@b.test"},
        f"{V1}/webhook-endpoints": {
            "url": "https://93.184.215.14/x",
            "events": ["comment.created"],
        },
        f"{V1}/webhook-deliveries/{g.notification.id}/replay": None,
    }
    schema = api.get(f"{V1}/openapi.json").json()
    posts = [p for p, ops in schema["paths"].items() if "post" in ops]
    assert len(posts) == len(writes)  # every write operation is tried
    for url, body in writes.items():
        is_problem(api.post(url, json=body), 403, "insufficient_scope")
    assert api.get(f"{V1}/versions/{version.id}/comments").json() == []
    narrow = with_token(client_for(), token_for(studio.member, ["sharing:read"]))
    is_problem(narrow.get(f"{V1}/projects"), 403, "insufficient_scope")


def test_a_revoked_token_fails_on_its_next_call(client_for, studio: Studio) -> None:
    owner = session_of(studio.member)
    new = api_tokens.create_token(user=owner, name="soon revoked", scopes=["projects:read"])
    api = with_token(client_for(), new.token)
    assert api.get(f"{V1}/projects").status_code == 200
    api_tokens.revoke_token(user=owner, token_id=new.id)
    is_problem(api.get(f"{V1}/projects"), 401, "unauthorized")


def test_rate_limit_is_429_with_retry_after_under_concurrency(
    client_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = make_graph()
    user = make_user(tenant=g.tenant)
    with settings_from(monkeypatch, {"API_RATE_LIMIT_PER_MINUTE": "5"}):
        api = with_token(client_for(), token_for(user, ["projects:read"]))
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: api.get(f"{V1}/projects"), range(12)))
    ok = [a for a in answers if a.status_code == 200]
    limited = [a for a in answers if a.status_code == 429]
    assert len(ok) + len(limited) == 12
    # One minute window (two if the minute turned mid-run): at most 5 calls pass per window.
    assert 5 <= len(ok) <= 10, [a.status_code for a in answers]
    for answer in limited:
        is_problem(answer, 429, "rate_limited")
        assert 1 <= int(answer.headers["retry-after"]) <= 60
