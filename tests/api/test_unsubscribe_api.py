"""/api/notifications/unsubscribe: the one-click link of a notification email (GET shows the
page and changes nothing; POST with a valid token turns that kind of email off)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.services.notifications.prefs import preferences, unsubscribe, unsubscribe_token
from tests.factories import ctx, make_graph

pytestmark = pytest.mark.usefixtures("database")


def modes(graph) -> dict[str, str]:
    with tenant_session(ctx(graph.tenant, graph.user)) as session:
        return {p.type: p.mode for p in preferences(session=session, user_id=graph.user.id)}


def test_page_then_post_turns_that_email_off(client: TestClient) -> None:
    g = make_graph()
    token = unsubscribe_token(tenant_id=g.tenant.id, user_id=g.user.id, type_="comment")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    page = client.get("/api/notifications/unsubscribe", params={"token": token})
    assert page.status_code == 200 and "Comments on my tasks" in page.text
    assert modes(g)["comment"] == "digest"  # GET changed nothing
    assert (
        client.post("/api/notifications/unsubscribe", data={"token": tampered}).status_code == 400
    )
    done = client.post("/api/notifications/unsubscribe", data={"token": token})
    assert done.status_code == 200 and "Unsubscribed" in done.text
    assert modes(g)["comment"] == "off" and modes(g)["mention"] == "immediately"
    assert unsubscribe(token) == "Comments on my tasks and assets"  # again: harmless
