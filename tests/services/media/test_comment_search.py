"""Comment search through the search table (migration 0012): scope, edits, deletes, access."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from portal.db import tenant_session
from portal.models import Comment
from portal.services.core.errors import InvalidInput
from portal.services.media.comments import add_asset_comment, search_comments
from tests.factories import Studio, make_studio, ready_version

pytestmark = pytest.mark.usefixtures("database")


def _comment(studio: Studio, body: str) -> Comment:
    asset = ready_version(studio)
    with tenant_session(studio.member_ctx) as session:
        return add_asset_comment(
            session=session, asset_id=asset.id, author_id=None, body=body, timecode=1
        )


def test_studio_admins_search_every_managed_agency_members_only_their_own() -> None:
    a, b = make_studio(), make_studio()
    mine, theirs = _comment(a, "Flicker in the quokka shot"), _comment(b, "Quokka flicker again")
    with tenant_session(a.admin_ctx) as session:
        assert {c.id for c in search_comments(session=session, query="quokka")} == {mine.id}
    with tenant_session(b.member_ctx) as session:
        assert [c.id for c in search_comments(session=session, query="quokka flicker")] == [
            theirs.id
        ]


def test_search_follows_edits_and_deletes(studio: Studio) -> None:
    comment = _comment(studio, "The wombat logo is too small")
    with tenant_session(studio.member_ctx) as session:
        row = session.get(Comment, comment.id)
        row.body = "The echidna logo is too small"
        session.add(row)
        session.flush()
        assert search_comments(session=session, query="wombat") == []
        assert [c.id for c in search_comments(session=session, query="echidna")] == [comment.id]
        session.delete(row)
        session.flush()
        assert search_comments(session=session, query="echidna") == []


def test_newest_first_and_bounded(studio: Studio) -> None:
    first, second = _comment(studio, "Platypus one"), _comment(studio, "Platypus two")
    with tenant_session(studio.member_ctx) as session:
        found = search_comments(session=session, query="platypus", limit=1)
        assert [c.id for c in found] == [second.id]
        assert {c.id for c in search_comments(session=session, query="platypus")} == {
            first.id,
            second.id,
        }
        with pytest.raises(InvalidInput):
            search_comments(session=session, query="   ")


def test_the_runtime_role_reaches_the_search_table_only_through_the_function(
    studio: Studio,
) -> None:
    _comment(studio, "Numbat colour grade")
    with tenant_session(None) as session:
        # No tenant context: the function's scope is empty, so nothing is found.
        assert session.execute(text("SELECT * FROM comment_search_ids('numbat', 50)")).all() == []
    with pytest.raises(ProgrammingError, match="permission denied for table comment_search") as e:
        with tenant_session(studio.member_ctx) as session:
            session.execute(text("SELECT count(*) FROM comment_search")).all()
    assert isinstance(e.value.orig, psycopg.errors.InsufficientPrivilege)


def test_search_rows_carry_the_comments_tenant(superuser_conn: psycopg.Connection) -> None:
    studio = make_studio()
    comment = _comment(studio, "Bilby subtitle timing")
    row = superuser_conn.execute(
        "SELECT tenant_id, created_at FROM comment_search WHERE comment_id = %s", (comment.id,)
    ).fetchone()
    assert row == (studio.agency.id, comment.created_at)
