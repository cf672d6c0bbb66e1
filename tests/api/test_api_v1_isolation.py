"""A token of one tenant cannot reach another tenant's data through any /api/v1 operation: every
operation of the OpenAPI document is called with the other tenant's ids (detail and write
operations answer 404 and change nothing; lists never contain the other tenant's rows), as a
member and as an agency admin (whose lists are the widest of a tenant)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal.db import tenant_session
from portal.models import Asset, Comment, ShareLink
from portal.services.media.comments import add_asset_comment
from portal.services.outbound import webhooks as outbound
from tests.api.api_v1_support import token_for, with_token
from tests.conftest import settings_from
from tests.factories import ctx, make_graph, make_studio, make_user, ready_version, session_of

pytestmark = pytest.mark.usefixtures("database")
V1 = "/api/v1"
BODIES = {
    "/versions/{version_id}/comments": {"body": "Stolen", "timecode_seconds": 1},
    "/versions/{version_id}/decision": {"decision": "approved", "confirm_old_version": True},
    "/versions/{version_id}/share-links": {"name": "Stolen"},
    "/webhook-endpoints": {"url": "https://93.184.215.14/hook", "events": ["comment.created"]},
}


def test_every_operation_refuses_another_tenants_ids(client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    theirs = make_studio()
    version = ready_version(theirs)
    victim = make_graph(theirs.agency)
    with tenant_session(theirs.member_ctx) as session:
        link = session.exec(select(ShareLink).where(ShareLink.asset_id == victim.asset.id)).one()
    with settings_from(monkeypatch, {"OUTBOUND_WEBHOOK_ALLOW_PRIVATE": "true"}):
        their_admin = session_of(make_user(tenant=theirs.agency, role="admin"))
        hook = outbound.register_endpoint(
            user=their_admin, url="http://127.0.0.1:9/hook", events=["comment.created"]
        )
    with tenant_session(theirs.member_ctx) as session:
        add_asset_comment(
            session=session, asset_id=version.id, author_id=theirs.member.id, body="Theirs"
        )
    (delivery,) = outbound.deliveries(user=their_admin, endpoint_id=hook.id)
    their_ids = {
        "project_id": theirs.project.id,
        "version_id": version.id,
        "link_id": link.id,
        "notification_id": victim.notification.id,
        "endpoint_id": hook.id,
        "delivery_id": delivery.id,
    }
    secrets = {str(v) for v in their_ids.values()} | {
        str(theirs.agency.id),
        theirs.member.email,
        theirs.project.title,
    }

    mine = make_graph()
    callers = {
        "member": with_token(client_for(), token_for(mine.user)),
        "agency admin": with_token(
            client_for(), token_for(make_user(tenant=mine.tenant, role="admin"))
        ),
    }
    schema = callers["member"].get(f"{V1}/openapi.json").json()
    tried = 0
    for who, api in callers.items():
        for template, operations in schema["paths"].items():
            names = re.findall(r"{(\w+)}", template)
            url = V1 + template.format(**{n: their_ids[n] for n in names})
            for method in operations:
                tried += 1
                body = BODIES.get(template, {"tenant_id": str(theirs.agency.id), "email": "x@y.z"})
                answer = api.request(method.upper(), url, json=body if method == "post" else None)
                label = f"{who} {method.upper()} {template}"
                if names:
                    # A member may not call the admin operations at all (403); otherwise the
                    # other tenant's row does not exist for the caller (404).
                    allowed = {404} if who == "agency admin" else {403, 404}
                    assert answer.status_code in allowed, (label, answer.status_code, answer.text)
                else:
                    assert answer.status_code in (200, 201, 403, 404), (label, answer.text)
                    leaked = [s for s in secrets if s in answer.text]
                    assert not leaked, (label, leaked)
    assert tried >= 2 * 21

    # Nothing of theirs changed.
    with tenant_session(ctx(theirs.agency)) as session:
        stored = session.get(Asset, version.id)
        assert stored is not None and stored.review_status == "in_review"
        bodies = session.exec(select(Comment.body).where(Comment.parent_id == version.id)).all()
        assert bodies == ["Theirs"]
        assert outbound.deliveries(user=their_admin, endpoint_id=hook.id)[0].attempts == 0
        assert (
            len(session.exec(select(ShareLink).where(ShareLink.asset_id == version.id)).all()) == 0
        )
        assert session.get(ShareLink, link.id).status == "active"  # type: ignore[union-attr]
        note = session.get(type(victim.notification), victim.notification.id)
        assert note is not None and note.read_at is None


def test_a_studio_admin_sees_only_the_agencies_it_manages(client_for) -> None:  # type: ignore[no-untyped-def]
    ours, theirs = make_studio(), make_studio()
    api = with_token(client_for(), token_for(ours.admin))
    text = api.get(f"{V1}/projects", params={"limit": 100}).text
    assert str(ours.project.id) in text and str(theirs.project.id) not in text
    tenants = {t["id"] for t in api.get(f"{V1}/tenants").json()}
    assert str(ours.agency.id) in tenants and str(theirs.agency.id) not in tenants
    assert theirs.member.email not in api.get(f"{V1}/users").text
    assert api.get(f"{V1}/projects/{theirs.project.id}").status_code == 404
