"""Fan-out rules: who hears of each event, never the actor, never across tenants; the bell."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from portal.db import TenantContext, tenant_session
from portal.models import Notification, ShareLink
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.media.mux_events import advance_asset
from portal.services.notifications.delivery import send_notification_email
from portal.services.notifications.digest import send_digest
from portal.services.notifications.events import on_approval, on_share_viewed
from portal.services.notifications.fan_out import fan_out
from portal.services.notifications.inbox import latest, mark_all_read, mark_read, unread_count
from portal.services.projects.task_comments import add_comment
from portal.services.projects.tasks import update_task
from tests.factories import Studio, ctx, make_graph, make_user


def _inbox(superuser_conn, user) -> list[tuple[str, dict, str | None]]:
    rows = superuser_conn.execute(
        "SELECT type, payload, email_status FROM notifications WHERE user_id = %s"
        " ORDER BY created_at, id",
        (user.id,),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def _assign(session, task, assignee_id) -> None:
    """(Re)assign a task through the task form's service, its other fields kept."""
    update_task(
        session=session,
        task_id=task.id,
        title=task.title,
        description=task.description,
        due_date=task.due_date,
        effort_estimate=task.effort_estimate,
        assignee_id=assignee_id,
    )


def test_assignment_notifies_the_assignee_not_the_actor(studio: Studio, task, superuser_conn):
    assert [t for t, _, _ in _inbox(superuser_conn, studio.member)] == ["task_assigned"]
    _, payload, status = _inbox(superuser_conn, studio.member)[0]
    # Stored: the actor's id, not their name; the member's bell names the studio admin.
    assert payload["actor_id"] == str(studio.admin.id) and "Ada" not in str(payload)
    with tenant_session(studio.member_ctx) as session:
        [view] = latest(session=session, user_id=studio.member.id)
    assert view.title == "Ada Admin assigned you “Cut”" and payload["link"].startswith("/")
    assert status == "queued"  # immediately by default: a job was deferred
    with tenant_session(studio.admin_ctx) as session:
        _assign(session, task, studio.admin.id)
        _assign(session, task, studio.admin.id)
    assert _inbox(superuser_conn, studio.admin) == []  # assigned themselves
    jobs = superuser_conn.execute(
        "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'send_notification_email'"
        " AND args->>'tenant_id' = %s",
        (str(studio.agency.id),),
    ).fetchone()[0]
    assert jobs == 1


def test_comment_mentions_and_watchers(studio: Studio, task, superuser_conn):
    other = make_user(tenant=studio.agency, name="Olive", email="olive.n1@agency.test")
    outsider = make_graph().user
    with tenant_session(studio.member_ctx) as session:
        add_comment(session=session, task_id=task.id, author_id=other.id, body="First look")
        add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.member.id,
            body=f"@olive.n1 and @{outsider.email}: the secret plan",
        )
    olive = _inbox(superuser_conn, other)
    assert [t for t, _, _ in olive] == ["mention"]  # a mention replaces the comment notice
    with tenant_session(ctx(studio.agency, other)) as session:
        [view] = latest(session=session, user_id=other.id)
    assert view.excerpt.endswith("the secret plan")  # same tenant: excerpt (read when shown)
    assert view.title == "Sam Member mentioned you"
    # The assignee (the member) wrote the second comment: they hear only of Olive's comment.
    member = [t for t, _, _ in _inbox(superuser_conn, studio.member)]
    assert member == ["task_assigned", "comment"]
    # No cross-tenant leak (make_graph's own notification only).
    assert _inbox(superuser_conn, outsider) == [("task_assigned", {}, None)]


def test_studio_assignee_hears_of_agency_comments_without_the_body(
    studio: Studio, task, superuser_conn
):
    with tenant_session(studio.admin_ctx) as session:
        _assign(session, task, studio.admin.id)
    with tenant_session(studio.member_ctx) as session:
        add_comment(session=session, task_id=task.id, author_id=studio.member.id, body="Private")
    admin = _inbox(superuser_conn, studio.admin)
    assert [t for t, _, _ in admin] == ["comment"]
    assert "excerpt" not in admin[0][1] and admin[0][2] == "queued"
    # The studio admin's scope can read the agency's comment, yet the bell shows no words of it.
    with tenant_session(studio.admin_ctx) as session:
        [view] = latest(session=session, user_id=studio.admin.id)
    assert (view.title, view.excerpt) == ("Sam Member commented on “Cut”", "")


def test_managing_function_reaches_only_the_managing_studios_admins(studio: Studio, superuser_conn):
    other = make_graph()  # another agency, not managed by this studio
    with tenant_session(studio.member_ctx) as session:
        made = fan_out(
            session=session,
            type_="approval_requested",
            tenant_id=studio.agency.id,
            actor_id=studio.member.id,
            recipients=[other.user.id, studio.admin.id, studio.member.id],
            payload={"title": "x", "link": "/"},
        )
    assert len(made) == 1
    assert _inbox(superuser_conn, other.user) == [
        ("task_assigned", {}, None)  # only make_graph's own row
    ]
    with tenant_session(ctx(other.tenant, other.user)) as session:
        fan_out(
            session=session,
            type_="mention",
            tenant_id=other.tenant.id,
            actor_id=other.user.id,
            recipients=[studio.admin.id],
            payload={"title": "x", "link": "/"},
        )
    assert [t for t, _, _ in _inbox(superuser_conn, studio.admin)] == ["approval_requested"]


def test_unknown_type_is_refused(studio: Studio) -> None:
    with tenant_session(studio.member_ctx) as session, pytest.raises(InvalidInput, match="type"):
        fan_out(
            session=session,
            type_="nonsense",
            tenant_id=studio.agency.id,
            actor_id=None,
            recipients=[studio.admin.id],
            payload={},
        )


def test_asset_share_and_approval_events(superuser_conn) -> None:
    g = make_graph()
    reviewer = make_user(tenant=g.tenant, name="Rita")
    superuser_conn.execute(
        "UPDATE assets SET uploader_id = %s WHERE id = %s", (g.user.id, g.asset.id)
    )
    superuser_conn.execute(
        "UPDATE share_links SET created_by = %s, view_count = 1 WHERE id = %s",
        (g.user.id, g.share_link.id),
    )
    with tenant_session(TenantContext(tenant_id=g.tenant.id)) as session:
        advance_asset(session=session, asset_id=g.asset.id, status="processing")
        advance_asset(session=session, asset_id=g.asset.id, status="ready")
        advance_asset(session=session, asset_id=g.asset.id, status="errored")  # stays ready
        on_share_viewed(session=session, share_link=session.get(ShareLink, g.share_link.id))
    with tenant_session(ctx(g.tenant, g.user)) as session:
        on_approval(
            session=session,
            asset_id=g.asset.id,
            kind="approval_requested",
            recipients=[reviewer.id],
        )
    assert [t for t, _, _ in _inbox(superuser_conn, g.user)] == [
        "task_assigned",
        "asset_ready",
        "share_viewed",
    ]
    # A reviewer in the project's agency hears of the new version, then of the request.
    assert [t for t, _, _ in _inbox(superuser_conn, reviewer)] == [
        "version_ready",
        "approval_requested",
    ]


def test_bell_count_list_and_mark_read(studio: Studio, task) -> None:
    with tenant_session(studio.admin_ctx) as session:
        add_comment(session=session, task_id=task.id, author_id=studio.admin.id, body="One")
        add_comment(session=session, task_id=task.id, author_id=studio.admin.id, body="Two")
    member = studio.member_ctx
    with tenant_session(member) as session:
        assert unread_count(session=session, user_id=studio.member.id) == 3
        views = latest(session=session, user_id=studio.member.id)
        assert [v.excerpt for v in views] == ["Two", "One", ""]  # newest first
        mark_read(session=session, user_id=studio.member.id, notification_id=views[0].id)
        assert unread_count(session=session, user_id=studio.member.id) == 2
        assert mark_all_read(session=session, user_id=studio.member.id) == 2
        assert unread_count(session=session, user_id=studio.member.id) == 0
    # Another user's notification, even by id, is not found (and not marked).
    with tenant_session(studio.admin_ctx) as session:
        with pytest.raises(NotFound):
            mark_read(session=session, user_id=studio.admin.id, notification_id=views[1].id)
        assert session.get(Notification, views[1].id) is not None
    other = make_graph()
    with tenant_session(ctx(other.tenant, other.user)) as session, pytest.raises(NotFound):
        mark_read(session=session, user_id=other.user.id, notification_id=views[1].id)


def test_asset_comments_and_review_decisions_notify(superuser_conn) -> None:
    from portal.services.media.comments import add_asset_comment
    from portal.services.media.review import decide

    g = make_graph()
    reviewer = make_user(tenant=g.tenant, name="Rex")
    superuser_conn.execute(
        "UPDATE assets SET uploader_id = %s WHERE id = %s", (g.user.id, g.asset.id)
    )
    with tenant_session(TenantContext(tenant_id=g.tenant.id)) as session:
        advance_asset(session=session, asset_id=g.asset.id, status="ready")
    with tenant_session(ctx(g.tenant, reviewer)) as session:
        add_asset_comment(
            session=session,
            asset_id=g.asset.id,
            author_id=reviewer.id,
            body="Trim the intro",
            timecode=0,
        )
        decide(
            session=session, asset_id=g.asset.id, user_id=reviewer.id, decision="changes_requested"
        )
    with tenant_session(ctx(g.tenant, g.user)) as session:
        decide(session=session, asset_id=g.asset.id, user_id=g.user.id, decision="in_review")
    uploader = [t for t, _, _ in _inbox(superuser_conn, g.user)]
    assert uploader[-2:] == ["comment", "changes_requested"]
    assert "approval_requested" not in uploader  # never the actor
    assert [t for t, _, _ in _inbox(superuser_conn, reviewer)][-1] == "approval_requested"


def test_payloads_hold_ids_and_the_bell_emails_and_digest_name_and_quote_at_read_time(
    studio: Studio, task, superuser_conn
):
    sam = studio.member.email.split("@")[0]
    with tenant_session(studio.admin_ctx) as session:
        comment = add_comment(
            session=session,
            task_id=task.id,
            author_id=studio.admin.id,
            body=f"@{sam} tighten the open",
        )
        add_comment(session=session, task_id=task.id, author_id=studio.admin.id, body="Then grade")
    [(nid, payload)] = superuser_conn.execute(
        "SELECT id, payload FROM notifications WHERE user_id = %s AND type = 'mention'",
        (studio.member.id,),
    ).fetchall()
    assert set(payload) == {"actor_id", "action", "link", "task_id", "comment_id"}
    assert payload["actor_id"] == str(studio.admin.id) and payload["action"] == "mentioned you"
    stored = json.dumps(payload, ensure_ascii=False)
    assert "Ada" not in stored and "tighten" not in stored and studio.admin.email not in stored
    assert send_notification_email(notification_id=nid, tenant_id=studio.agency.id) == "sent"
    cutoff = datetime.now(UTC) + timedelta(minutes=1)
    assert send_digest(tenant_id=studio.agency.id, user_id=studio.member.id, cutoff=cutoff) == 1
    mails = superuser_conn.execute(
        "SELECT subject, text_body, html_body FROM mail_outbox WHERE to_address = %s"
        " ORDER BY created_at",
        (studio.member.email,),
    ).fetchall()
    assert mails[0][0] == "Ada Admin mentioned you" and f"“@{sam} tighten the open”" in mails[0][1]
    assert "Ada Admin commented on “Cut”" in mails[1][1] and "“Then grade”" in mails[1][2]
    # Read time: a renamed actor and a deleted comment show as they are now.
    superuser_conn.execute("UPDATE users SET name = 'A. Erased' WHERE id = %s", (studio.admin.id,))
    superuser_conn.execute("DELETE FROM comments WHERE id = %s", (comment.id,))
    with tenant_session(studio.member_ctx) as session:
        [view] = [v for v in latest(session=session, user_id=studio.member.id) if v.id == str(nid)]
    assert (view.title, view.excerpt) == ("A. Erased mentioned you", "")


def test_actor_names_are_read_only_for_notifications_in_scope(studio: Studio, task):
    with tenant_session(studio.member_ctx) as session:
        [view] = latest(session=session, user_id=studio.member.id)  # the assignment
    names = text("SELECT actor_name FROM notification_actor_names(CAST(:ids AS uuid[]))")
    other = make_graph()
    with tenant_session(ctx(other.tenant, other.user)) as session:
        assert session.execute(names, {"ids": [view.id]}).all() == []
    with tenant_session(studio.member_ctx) as session:
        assert session.execute(names, {"ids": [view.id]}).scalars().all() == ["Ada Admin"]
