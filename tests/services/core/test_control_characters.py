"""NUL and other control characters: every text input answers a clear form error, nothing is
written (PostgreSQL text cannot hold NUL: it used to surface as psycopg.DataError)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db import tenant_session
from portal.models import Comment, ShareLink, User
from portal.services.accounts import self_service, tenants
from portal.services.accounts.auth import sign_in
from portal.services.compliance.audit_log import parse_filters
from portal.services.core.errors import InvalidInput
from portal.services.media.comments import add_asset_comment, search_comments
from portal.services.projects.dashboard import DashboardFilters, load_dashboard
from portal.services.projects.projects import ProjectFilters, list_project_page
from portal.services.sharing.access import lookup
from portal.services.sharing.guests import add_guest_comment
from portal.services.sharing.links import create_share_link
from tests.factories import Studio, session_of
from tests.share_support import ready_asset, shared

pytestmark = pytest.mark.usefixtures("database")
NOT_ALLOWED = "contains characters that are not allowed."


def count(studio: Studio, model, *where) -> int:
    with tenant_session(studio.admin_ctx) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize("email", ["a\x00@b.test", "a@b.test\x00", "a\x1b@b.test"])
def test_sign_in_with_a_control_character_in_the_email_is_a_form_error(email: str) -> None:
    with pytest.raises(InvalidInput, match="Enter a valid email address.") as caught:
        sign_in(email=email, password="whatever-it-is", ip="192.0.2.200")
    assert caught.value.code == "bad_email"


def test_magic_link_request_with_nul_is_a_form_error() -> None:
    with pytest.raises(InvalidInput, match="Enter a valid email address."):
        self_service.request_magic_link(email="a\x00@b.test", ip="192.0.2.201")


def test_comment_with_nul_is_refused_and_not_written(studio: Studio) -> None:
    asset = ready_asset(studio)
    with (
        pytest.raises(InvalidInput, match=f"^Comment {NOT_ALLOWED}$"),
        tenant_session(studio.member_ctx) as session,
    ):
        add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="fix\x00 this", timecode=1
        )
    assert count(studio, Comment, Comment.parent_id == asset.id) == 0


def test_comment_keeps_tabs_and_line_breaks(studio: Studio) -> None:
    asset = ready_asset(studio)
    with tenant_session(studio.member_ctx) as session:
        comment = add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body="a\tb\r\nc", timecode=1
        )
    assert comment.body == "a\tb\r\nc"


def test_comment_search_with_nul_is_a_form_error(studio: Studio) -> None:
    with (
        pytest.raises(InvalidInput, match=f"^Search {NOT_ALLOWED}$"),
        tenant_session(studio.member_ctx) as session,
    ):
        search_comments(session=session, query="quokka\x00")


def test_guest_email_with_nul_is_refused_and_no_guest_is_made(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    info = lookup(s.token)
    with pytest.raises(InvalidInput, match="^Enter a valid email address.$"):
        add_guest_comment(
            info=info, name="Kim", email="kim\x00@client.test", body="Nice", timecode=1
        )
    assert count(studio, User, User.tenant_id == studio.agency.id, User.role == "guest") == 0
    assert count(studio, Comment, Comment.parent_id == s.asset.id) == 0


def test_guest_comment_body_with_nul_is_refused(studio: Studio) -> None:
    s = shared(studio, allow_comments=True)
    with pytest.raises(InvalidInput, match=f"^Comment {NOT_ALLOWED}$"):
        add_guest_comment(
            info=lookup(s.token), name="Kim", email="kim@client.test", body="a\x00", timecode=1
        )
    assert count(studio, Comment, Comment.parent_id == s.asset.id) == 0


def test_share_link_name_with_nul_is_refused_and_no_link_is_made(studio: Studio) -> None:
    asset = ready_asset(studio)
    with (
        pytest.raises(InvalidInput, match=f"^Name {NOT_ALLOWED}$"),
        tenant_session(studio.member_ctx) as session,
    ):
        create_share_link(
            session=session, asset_id=asset.id, created_by=studio.member.id, name="For\x00 Kim"
        )
    assert count(studio, ShareLink, ShareLink.asset_id == asset.id) == 0


def test_project_search_and_client_filters_with_nul_are_form_errors(studio: Studio) -> None:
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match=f"^Search {NOT_ALLOWED}$"):
            list_project_page(session=session, filters=ProjectFilters(search="hero\x00"))
        with pytest.raises(InvalidInput, match=f"^Client {NOT_ALLOWED}$"):
            list_project_page(session=session, filters=ProjectFilters(client="Acme\x00"))
        with pytest.raises(InvalidInput, match=f"^Client {NOT_ALLOWED}$"):
            load_dashboard(session=session, filters=DashboardFilters(client="Acme\x00"))


def test_tenant_name_and_audit_actor_with_nul_are_form_errors(studio: Studio) -> None:
    admin = session_of(studio.admin)
    with pytest.raises(InvalidInput, match=f"^The tenant name {NOT_ALLOWED}$"):
        tenants.create_tenant(user=admin, name="Ghost\x00 Agency")
    with (
        pytest.raises(InvalidInput, match=f"^Actor {NOT_ALLOWED}$"),
        tenant_session(studio.admin_ctx) as session,
    ):
        parse_filters(session=session, params={"actor": "a\x00@b.test"})
