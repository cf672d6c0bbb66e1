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
from tests.api.api_v1_support import token_for, with_token
from tests.factories import ctx, make_graph, make_studio, make_user, ready_version

pytestmark = pytest.mark.usefixtures("database")
V1 = "/api/v1"
BODIES = {
    "/versions/{version_id}/comments": {"body": "Stolen", "timecode_seconds": 1},
    "/versions/{version_id}/decision": {"decision": "approved", "confirm_old_version": True},
    "/versions/{version_id}/share-links": {"name": "Stolen"},
}


def test_every_operation_refuses_another_tenants_ids(client_for) -> None:  # type: ignore[no-untyped-def]
    theirs = make_studio()
    version = ready_version(theirs)
    victim = make_graph(theirs.agency)
    with tenant_session(theirs.member_ctx) as session:
        link = session.exec(select(ShareLink).where(ShareLink.asset_id == victim.asset.id)).one()
    their_ids = {
        "project_id": theirs.project.id,
        "version_id": version.id,
        "link_id": link.id,
        "notification_id": victim.notification.id,
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
                    assert answer.status_code == 404, (label, answer.status_code, answer.text)
                    assert answer.json()["code"] == "not_found", label
                else:
                    assert answer.status_code in (200, 403, 404), (label, answer.text)
                    leaked = [s for s in secrets if s in answer.text]
                    assert not leaked, (label, leaked)
    assert tried >= 2 * 17

    # Nothing of theirs changed.
    with tenant_session(ctx(theirs.agency)) as session:
        stored = session.get(Asset, version.id)
        assert stored is not None and stored.review_status == "in_review"
        assert session.exec(select(Comment).where(Comment.parent_id == version.id)).all() == []
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
