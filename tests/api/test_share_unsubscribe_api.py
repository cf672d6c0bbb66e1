"""/api/share-unsubscribe: the link in a share-link client's new-version email (GET shows the
page and changes nothing; POST with a valid token stops those emails for that link)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.models import ShareLinkContact
from portal.services.sharing import access, follow
from portal.services.sharing.guests import add_guest_comment
from tests.factories import Studio
from tests.share_support import make_link, ready_asset, token_of

pytestmark = pytest.mark.usefixtures("database")


def test_unsubscribe_page_then_post(client: TestClient, studio: Studio) -> None:
    v1 = ready_asset(studio)
    link = make_link(studio, v1, allow_comments=True, notify_new_versions=True)
    add_guest_comment(
        info=access.lookup(token_of(link)), name="C", email="c@client.test", body="x", timecode=0
    )
    with tenant_session(studio.member_ctx) as session:
        contact = session.scalars(select(ShareLinkContact)).one()
    token = follow.unsubscribe_token(tenant_id=contact.tenant_id, contact_id=contact.id)
    assert contact.unsubscribed_at is None
    page = client.get("/api/share-unsubscribe", params={"token": token})
    assert page.status_code == 200 and "Stop these emails?" in page.text
    with tenant_session(studio.member_ctx) as session:
        assert session.get(ShareLinkContact, contact.id).unsubscribed_at is None  # GET: nothing
    assert client.get("/api/share-unsubscribe", params={"token": "s1.x.y.z"}).status_code == 400
    done = client.post("/api/share-unsubscribe", data={"token": token})
    assert done.status_code == 200 and "Unsubscribed" in done.text
    with tenant_session(studio.member_ctx) as session:
        assert session.get(ShareLinkContact, contact.id).unsubscribed_at is not None
