"""Preferences, unsubscribe tokens, email jobs (outbox and a fake Resend), digests, delivery."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from resend.exceptions import ResendError

from portal.db import tenant_session
from portal.jobs.notifications import MAX_ATTEMPTS, run_digests, send_notification_email_task
from portal.models import Notification, OutboxEmail
from portal.services.core.errors import InvalidInput, InvalidUnsubscribe
from portal.services.notifications import delivery as notification_delivery
from portal.services.notifications.delivery import digest_cutoff, send_notification_email
from portal.services.notifications.digest import send_digest
from portal.services.notifications.fan_out import fan_out
from portal.services.notifications.prefs import (
    preferences,
    read_unsubscribe_token,
    set_preference,
    unsubscribe_token,
)
from portal.services.operations.webhook_processing import process_webhook_event
from portal.services.operations.webhooks import ingest_webhook_event
from tests.factories import ctx, make_graph, make_user
from tests.fake_resend import FakeResend
from tests.webhook_support import resend_event

pytestmark = pytest.mark.usefixtures("database")


def _notify(graph, user, type_="mention", title="Sam mentioned you"):
    with tenant_session(ctx(graph.tenant, graph.user)) as session:
        [nid] = fan_out(
            session=session,
            type_=type_,
            tenant_id=graph.tenant.id,
            actor_id=graph.user.id,
            recipients=[user.id],
            payload={"title": title, "link": "/project?id=1"},
            private={"excerpt": "see the <b>cut</b>"},
        )
    return nid


def _row(graph, nid) -> Notification:
    with tenant_session(ctx(graph.tenant)) as session:
        return session.get(Notification, nid)


def _outbox(to: str) -> list[OutboxEmail]:
    with tenant_session(None) as session:
        return list(session.query(OutboxEmail).filter(OutboxEmail.to_address == to))


def test_preferences_decide_the_email_state() -> None:
    g = make_graph()
    user = make_user(tenant=g.tenant)
    with tenant_session(ctx(g.tenant, user)) as session:
        modes = {p.type: p.mode for p in preferences(session=session, user_id=user.id)}
        assert modes["mention"] == "immediately" and modes["comment"] == "digest"
        set_preference(session=session, user_id=user.id, type_="mention", mode="off")
        set_preference(session=session, user_id=user.id, type_="task_assigned", mode="digest")
        with pytest.raises(InvalidInput, match="Unknown"):
            set_preference(session=session, user_id=user.id, type_="spam", mode="off")
        with pytest.raises(InvalidInput, match="Choose"):
            set_preference(session=session, user_id=user.id, type_="mention", mode="hourly")
    assert _row(g, _notify(g, user)).email_status == "skipped"
    assert _row(g, _notify(g, user, "task_assigned")).email_status == "digest"
    assert _row(g, _notify(g, user, "approval_requested")).email_status == "queued"


def test_unsubscribe_tokens() -> None:
    g = make_graph()
    token = unsubscribe_token(tenant_id=g.tenant.id, user_id=g.user.id, type_="comment")
    assert read_unsubscribe_token(token) == (g.tenant.id, g.user.id, "comment")
    wrong_type = token.replace(".comment.", ".mention.")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_user = token.replace(str(g.user.id), str(uuid.uuid4()))
    for bad in (wrong_type, tampered, other_user, "", "v1.x.y.z.w", "x" * 400, None):
        with pytest.raises(InvalidUnsubscribe):
            read_unsubscribe_token(bad)
    # The unsubscribe page and form over HTTP: tests/api/test_unsubscribe_api.py.


def test_local_outbox_once_with_branding_and_unsubscribe(superuser_conn) -> None:
    g = make_graph()
    superuser_conn.execute(
        'UPDATE tenants SET branding = \'{"accent_color": "#123abc"}\' WHERE id = %s',
        (g.tenant.id,),
    )
    user = make_user(tenant=g.tenant)
    nid = _notify(g, user)
    assert send_notification_email(notification_id=nid, tenant_id=g.tenant.id) == "sent"
    assert send_notification_email(notification_id=nid, tenant_id=g.tenant.id) == "sent"
    [mail] = _outbox(user.email)  # a retried job sends nothing twice
    assert mail.subject == "Sam mentioned you" and "#123abc" in mail.html_body
    assert "see the &lt;b&gt;cut&lt;/b&gt;" in mail.html_body  # escaped
    assert "/api/notifications/unsubscribe?token=v1." in mail.text_body
    assert _row(g, nid).email_message_id == f"outbox:{mail.id}"


def test_bad_notifications_get_a_clear_status(superuser_conn) -> None:
    g = make_graph()
    user = make_user(tenant=g.tenant)
    untitled = _notify(g, user, title=" ")
    assert send_notification_email(notification_id=untitled, tenant_id=g.tenant.id) == "failed"
    assert _row(g, untitled).email_note == "cannot render: payload without a title"
    odd = _notify(g, user)
    superuser_conn.execute("UPDATE notifications SET type = 'mystery' WHERE id = %s", (odd,))
    assert send_notification_email(notification_id=odd, tenant_id=g.tenant.id) == "failed"
    bounced = _notify(g, user)
    superuser_conn.execute("UPDATE users SET email_bounced_at = now() WHERE id = %s", (user.id,))
    assert send_notification_email(notification_id=bounced, tenant_id=g.tenant.id) == "skipped"
    gone = uuid.uuid4()
    assert send_notification_email(notification_id=gone, tenant_id=g.tenant.id) == "deleted"
    assert _outbox(user.email) == []


def test_the_last_attempt_marks_failed(fake_resend: FakeResend) -> None:
    g = make_graph()
    user = make_user(tenant=g.tenant)
    nid = _notify(g, user)
    fake_resend.script = ["500", "500"]  # the provider is down
    args = {"notification_id": str(nid), "tenant_id": str(g.tenant.id)}
    with pytest.raises(ResendError):
        send_notification_email_task(SimpleNamespace(job=SimpleNamespace(attempts=0)), **args)
    assert _row(g, nid).email_status == "queued"
    last = SimpleNamespace(job=SimpleNamespace(attempts=MAX_ATTEMPTS - 1))
    assert send_notification_email_task(last, **args) == "failed"
    assert "gave up after 5 attempts" in _row(g, nid).email_note
    assert fake_resend.messages == []


def test_digest_groups_by_sydney_day_across_midnight(superuser_conn) -> None:
    g = make_graph()
    user = make_user(tenant=g.tenant)
    ids = [_notify(g, user, "comment", title=t) for t in ("Late", "Early", "Earlier")]
    # 23:59 and 00:01 Sydney (AEDT, UTC+11) around midnight of 24/25 Nov 2026; 09:00 on the 24th.
    times = ("2026-11-24 12:59Z", "2026-11-24 13:01Z", "2026-11-23 22:00Z")
    for nid, at in zip(ids, times, strict=True):
        superuser_conn.execute("UPDATE notifications SET created_at = %s WHERE id = %s", (at, nid))
    morning = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 07:00 on the 25th in Sydney
    cutoff = digest_cutoff(morning)
    assert cutoff.isoformat() == "2026-11-25T00:00:00+11:00"
    assert send_digest(tenant_id=g.tenant.id, user_id=user.id, cutoff=cutoff) == 2
    [mail] = _outbox(user.email)
    assert "24 Nov 2026\n- Earlier" in mail.text_body and "- Late" in mail.text_body
    assert "Early\n" not in mail.text_body
    assert [_row(g, i).email_status for i in ids] == ["sent", "digest", "sent"]
    assert send_digest(tenant_id=g.tenant.id, user_id=user.id, cutoff=cutoff) == 0
    next_day = digest_cutoff(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))
    assert send_digest(tenant_id=g.tenant.id, user_id=user.id, cutoff=next_day) == 1
    assert "25 Nov 2026\n- Early" in _outbox(user.email)[-1].text_body
    # Before the digest hour nothing is sent.
    assert run_digests(datetime(2026, 11, 25, 18, 0, tzinfo=UTC)) == {"result": "skipped"}


def test_resend_send_then_delivery_webhook(fake_resend: FakeResend) -> None:
    g = make_graph()
    user = make_user(tenant=g.tenant)
    nid = _notify(g, user)
    assert send_notification_email(notification_id=nid, tenant_id=g.tenant.id) == "sent"
    [request] = fake_resend.requests
    body = request["body"]
    assert request["key"] == f"notification/{nid}" and body["to"] == [user.email]
    assert body["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message_id = _row(g, nid).email_message_id
    assert message_id.startswith("re_")
    event_id = ingest_webhook_event(
        source="resend",
        event_id=str(uuid.uuid4()),
        payload=resend_event("email.delivered", message_id),
    )
    assert event_id is not None
    assert process_webhook_event(event_id=event_id, max_attempts=3) == "processed"
    row = _row(g, nid)
    assert row.delivered_at is not None and row.email_status == "delivered"
    fake_resend.script = ["422"]  # a refused address: failed for good, no retry loop
    refused = _notify(g, user)
    with pytest.raises(notification_delivery.PermanentSendError):
        send_notification_email(notification_id=refused, tenant_id=g.tenant.id)
