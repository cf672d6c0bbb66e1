"""Task comments: threads, @mentions, edit/delete own within the window, isolation."""

from __future__ import annotations

import pytest

from portal.db import tenant_session
from portal.models import Comment
from portal.services.core.errors import InvalidInput, NotFound, PermissionDenied
from portal.services.projects.task_comments import (
    DELETED_BODY,
    add_comment,
    delete_comment,
    edit_comment,
    task_thread,
)
from tests.factories import Studio, make_graph, make_user


def test_threads_and_mentions(studio: Studio, task) -> None:
    sam = studio.member.email.split("@")[0]
    outsider = make_graph().user
    with tenant_session(studio.member_ctx) as session:
        first = add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.member.id,
            body=f"@{sam} and @{outsider.email}: first pass?",
        )
        reply = add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.member.id,
            body="Yes",
            reply_to_id=first.id,
        )
        # A reply to a reply joins the same thread.
        nested = add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.member.id,
            body="Done",
            reply_to_id=str(reply.id),
        )
        second = add_comment(
            session=session, task_id=task.id, author_id=studio.member.id, body="Next"
        )
        thread = task_thread(session=session, task_id=task.id, viewer_id=studio.member.id)
    assert first.meta["mentions"] == [str(studio.member.id)]  # the outsider is no member
    assert nested.reply_to_id == first.id
    assert [(c.id, c.is_reply) for c in thread] == [
        (str(first.id), False),
        (str(reply.id), True),
        (str(nested.id), True),
        (str(second.id), False),
    ]
    assert thread[0].mentions == "Sam Member" and all(c.can_edit for c in thread)


def test_studio_admin_mentions_studio_members(studio: Studio, task) -> None:
    producer = make_user(tenant=studio.studio, role="admin", email="producer.x1@studio.test")
    with tenant_session(studio.admin_ctx) as session:
        c = add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.admin.id,
            body="@producer.x1@studio.test please check.",
        )
    assert c.meta["mentions"] == [str(producer.id)]


def test_edit_and_delete_own_within_window(studio: Studio, task, superuser_conn) -> None:
    with tenant_session(studio.member_ctx) as session:
        first = add_comment(session=session, task_id=task.id, author_id=studio.member.id, body="Hi")
        edit_comment(session=session, comment_id=first.id, user_id=studio.member.id, body="Hello")
        with pytest.raises(PermissionDenied, match="your own"):
            edit_comment(session=session, comment_id=first.id, user_id=studio.admin.id, body="x")
        with pytest.raises(InvalidInput, match="at most 10000"):
            edit_comment(
                session=session, comment_id=first.id, user_id=studio.member.id, body="x" * 10001
            )
        add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.admin.id,
            body="Re",
            reply_to_id=first.id,
        )
        delete_comment(session=session, comment_id=first.id, user_id=studio.member.id)
        thread = task_thread(session=session, task_id=task.id, viewer_id=studio.member.id)
    # The first comment had a reply, so it is blanked rather than removed.
    assert [(c.body, c.deleted) for c in thread] == [(DELETED_BODY, True), ("Re", False)]
    with tenant_session(studio.member_ctx) as session:
        late = add_comment(session=session, task_id=task.id, author_id=studio.member.id, body="Old")
    superuser_conn.execute(
        "UPDATE comments SET created_at = now() - interval '16 minutes' WHERE id = %s", (late.id,)
    )
    with (
        tenant_session(studio.member_ctx) as session,
        pytest.raises(PermissionDenied, match="15 minutes"),
    ):
        delete_comment(session=session, comment_id=late.id, user_id=studio.member.id)
    with tenant_session(studio.member_ctx) as session:
        fresh = add_comment(
            session=session, task_id=task.id, author_id=studio.member.id, body="Tmp"
        )
        delete_comment(session=session, comment_id=fresh.id, user_id=studio.member.id)
        assert session.get(Comment, fresh.id) is None


def test_bad_comments_and_other_tenants(studio: Studio, task) -> None:
    other = make_graph()
    with tenant_session(studio.member_ctx) as session:
        with pytest.raises(InvalidInput, match="Comment is required"):
            add_comment(session=session, task_id=task.id, author_id=studio.member.id, body="  ")
        for call in (
            lambda: add_comment(
                session=session, task_id=other.task.id, author_id=studio.member.id, body="x"
            ),
            lambda: add_comment(
                session=session,
                task_id=task.id,
                author_id=studio.member.id,
                body="x",
                reply_to_id=other.comment.id,
            ),
            lambda: delete_comment(
                session=session, comment_id=other.comment.id, user_id=studio.member.id
            ),
            lambda: task_thread(session=session, task_id=other.task.id, viewer_id=studio.member.id),
        ):
            with pytest.raises(NotFound):
                call()


def test_bodies_are_scrubbed_like_asset_comments_and_mentions_still_resolve(
    studio: Studio, task
) -> None:
    member = studio.member.email
    with tenant_session(studio.admin_ctx) as session:
        c = add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.admin.id,
            body=f"@{member} call +61 412 345 678 or mail jo.b@client.com.au, shot 12",
        )
        stored, mentions = session.get(Comment, c.id).body, list(c.meta["mentions"])
        edited = edit_comment(
            session=session, comment_id=c.id, user_id=studio.admin.id, body="now x@y.test"
        )
    assert stored == "@[email removed] call [phone removed] or mail [email removed], shot 12"
    assert mentions == [str(studio.member.id)]
    assert edited.body == "now [email removed]" and edited.meta["mentions"] == []


def test_the_comment_box_says_addresses_and_numbers_are_removed() -> None:
    from portal.components.comments import TASK_PII_NOTE, comment_box

    rendered = str(comment_box("", None, None, ""))
    assert 'id:"task-pii-note"' in rendered and TASK_PII_NOTE in rendered
