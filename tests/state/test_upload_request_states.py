"""Upload request states without a browser: the owner's handlers reach only their tenant's
projects and requests; the client page holds no token and refuses dead links alike."""

from __future__ import annotations

from uuid import UUID

import pytest

from portal.db import tenant_session
from portal.models import UploadRequest
from portal.services.sharing import upload_requests as ur
from portal.state.upload_requests import RequestPageState, UploadRequestsState
from tests.factories import Studio, make_studio
from tests.state.test_state import make_state, signed_in_cookie

pytestmark = pytest.mark.usefixtures("database")
BASE = "http://localhost:3000"


def made(studio: Studio, **options) -> ur.NewUploadRequest:
    with tenant_session(studio.member_ctx) as session:
        return ur.create_upload_request(
            session=session,
            project_id=studio.project.id,
            created_by=studio.member.id,
            name="Logos",
            kinds=["images"],
            **options,
        )


def test_owner_creates_lists_and_revokes(studio: Studio) -> None:
    state = make_state(
        UploadRequestsState,
        cookie=signed_in_cookie(studio.member.email),
        url=f"{BASE}/project?id={studio.project.id}",
    )
    state.load_project()
    assert state.can_request and state.requests == [] and not state.has_files
    state.create({"name": "Stills", "kind_images": "on", "max_files": "3"})
    assert state.error == "" and "/r/" in state.new_url
    assert [r.name for r in state.requests] == ["Stills"]
    state.create({"name": "Nothing allowed"})
    assert "at least one kind" in state.error
    state.revoke(state.requests[0].id)
    assert state.requests[0].status == "revoked" and state.notice == "Upload link revoked."


def test_owner_handlers_refuse_other_tenants_ids(studio: Studio) -> None:
    other = make_studio()
    theirs = made(other)
    state = make_state(
        UploadRequestsState,
        cookie=signed_in_cookie(studio.member.email),
        url=f"{BASE}/project?id={other.project.id}",
    )
    state.load_project()
    assert state.requests == [] and state.files == []
    state.create({"name": "Sneaky", "kind_images": "on"})
    assert "not available" in state.error and state.new_url == ""
    state.revoke(theirs.id)
    assert "not available" in state.error
    with tenant_session(other.member_ctx) as session:
        assert session.get(UploadRequest, UUID(theirs.id)).status == "active"


def test_client_page_opens_live_links_only(studio: Studio) -> None:
    created = made(studio, passcode="tangerine", message="Hello")
    token = created.url.rsplit("/", 1)[1]
    state = make_state(RequestPageState, url=f"{BASE}/r/{token}")
    state.load()
    assert state.available and state.needs_passcode and state.message == "Hello"
    assert state.brand_name == studio.agency.name
    state.start({"name": "Cleo", "email": "cleo@client.test", "passcode": "wrong one"})
    assert "not right" in state.error and state.grant == ""
    state.start({"name": "Cleo", "email": "cleo@client.test", "passcode": "tangerine"})
    assert state.grant and token not in repr(state.dict())
    with tenant_session(studio.member_ctx) as session:
        ur.revoke_upload_request(session=session, request_id=created.id)
    again = make_state(RequestPageState, url=f"{BASE}/r/{token}")
    again.load()
    assert again.loaded and not again.available and again.name == ""
    for path in ("A" * 43, "short", "<script>"):
        bad = make_state(RequestPageState, url=f"{BASE}/r/{path}")
        bad.load()
        assert bad.loaded and not bad.available
