"""Every email the portal sends, through a real worker and a fake Resend over HTTP (issue 17)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, text

from portal import routes
from portal.db import tenant_session
from portal.jobs.app import job_app
from portal.jobs.notifications import notification_digests
from portal.models import JobRun, Notification, OutboxEmail, User
from portal.services.accounts import self_service, users
from portal.services.accounts.auth import SESSION_COOKIE
from portal.services.core.locale import viewer_zone
from portal.services.email import outbox as mail
from portal.services.notifications.delivery import digest_cutoff
from portal.services.notifications.digest import send_digest
from portal.services.notifications.fan_out import EMAIL_QUEUE, EMAIL_TASK, fan_out
from tests.factories import ctx, make_studio_admin, make_tenant, make_user
from tests.fake_resend import FakeResend
from tests.jobs.support import run_async

pytestmark = pytest.mark.usefixtures("database")
LINK = re.compile(r"https?://\S+\?token=[\w-]+")


def drain(*queues: str) -> None:
    """Run a real worker on these queues until nothing is due."""
    import portal.jobs.notifications  # noqa: F401
    import portal.jobs.tasks  # noqa: F401

    async def _run() -> None:
        async with job_app.open_async():
            await job_app.run_worker_async(
                queues=list(queues), wait=False, install_signal_handlers=False, concurrency=1
            )

    run_async(_run)


def make_retry_due(superuser_conn) -> int:
    """The backoff's clock, moved on: waiting mail jobs become due now (no sleeping)."""
    return superuser_conn.execute(
        "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = %s"
        " AND status = 'todo'",
        (mail.SEND_MAIL_TASK,),
    ).rowcount


def mail_runs() -> list[JobRun]:
    with tenant_session(None) as session:
        query = select(JobRun).where(JobRun.job_name == mail.SEND_MAIL_TASK)
        return list(session.scalars(query.order_by(JobRun.started_at)))


def link_in(message: dict) -> str:
    [url] = set(LINK.findall(message["text"]))
    assert url in message["html"]
    return url


def test_sign_in_link_over_http_is_queued_then_sent_by_the_worker(
    fake_resend: FakeResend,
    client_for,
) -> None:
    user = make_user(tenant=make_tenant())
    client = client_for()
    answer = client.post(routes.API_MAGIC_REQUEST, data={"email": user.email})
    assert answer.status_code == 303 and "magic_sent" in answer.headers["location"]
    assert fake_resend.requests == []  # nothing is sent inside the request
    drain(mail.MAIL_QUEUE)
    [message] = fake_resend.to(user.email)
    assert message["subject"] == "Your sign-in link for the Motion Mavericks Portal"
    assert fake_resend.requests[0]["key"].startswith("mail/")
    assert "headers" not in message  # no List-Unsubscribe on account email
    url = link_in(message)
    assert url.startswith("http://localhost:3000/login/magic?token=")
    token = url.split("token=", 1)[1]
    signed_in = client.post(
        routes.API_MAGIC, data={"token": token}, headers={"origin": "http://testserver"}
    )
    assert SESSION_COOKIE in signed_in.headers.get("set-cookie", "")
    with tenant_session(None) as session:  # sent means gone from the outbox
        assert (
            session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)).all()
            == []
        )


def test_password_reset_and_invitation_arrive(fake_resend: FakeResend) -> None:
    user = make_user(tenant=make_tenant())
    self_service.request_password_reset(email=user.email)
    tenant, admin = make_studio_admin()
    agency = make_tenant(managed_by=tenant)
    users.invite_user(
        user=admin,
        tenant_id=str(agency.id),
        email="new.person@example.test",
        name="New",
        role="agency",
    )
    drain(mail.MAIL_QUEUE)
    [reset] = fake_resend.to(user.email)
    assert reset["subject"] == "Reset your Motion Mavericks Portal password"
    assert link_in(reset).startswith("http://localhost:3000/reset?token=")
    [invite] = fake_resend.to("new.person@example.test")
    assert invite["subject"] == f"You're invited to {agency.name} on the Motion Mavericks Portal"
    assert link_in(invite).startswith("http://localhost:3000/invite?token=")
    assert invite["from"] == "Motion Mavericks <portal@motionmavericks.test>"


def test_invitation_is_whole_while_resend_is_down(
    fake_resend: FakeResend,
    superuser_conn,
) -> None:
    """Before: the invited row committed, then sending raised. Now: row + job, sent later."""
    tenant, admin = make_studio_admin()
    agency = make_tenant(managed_by=tenant)
    fake_resend.script = ["500"]
    new_id = users.invite_user(
        user=admin, tenant_id=str(agency.id), email="later@example.test", name="", role="agency"
    )
    assert fake_resend.requests == []
    drain(mail.MAIL_QUEUE)  # the first attempt fails: the job waits for its backoff
    assert [r.result for r in mail_runs()][-1:] == ["failed"]
    assert "ApplicationError" in mail_runs()[-1].meta["error"]
    assert make_retry_due(superuser_conn) == 1
    drain(mail.MAIL_QUEUE)
    [invite] = fake_resend.to("later@example.test")
    assert "invite?token=" in invite["text"]
    assert mail_runs()[-1].result == "succeeded"
    with tenant_session(ctx(agency)) as session:
        assert session.get(User, new_id).status == "invited"


def test_a_lost_answer_is_retried_without_a_second_email(
    fake_resend: FakeResend,
    superuser_conn,
) -> None:
    user = make_user(tenant=make_tenant())
    fake_resend.script = ["lost"]  # Resend sent it, but the worker saw a 500
    self_service.request_magic_link(email=user.email)
    drain(mail.MAIL_QUEUE)
    assert make_retry_due(superuser_conn) == 1
    drain(mail.MAIL_QUEUE)
    first, second = fake_resend.requests
    assert first["key"] == second["key"] and first["body"] == second["body"]
    assert len(fake_resend.to(user.email)) == 1
    assert [r.result for r in mail_runs()][-2:] == ["failed", "succeeded"]


def test_a_refused_address_fails_once_and_shows_on_operations(
    fake_resend: FakeResend,
) -> None:
    user = make_user(tenant=make_tenant())
    fake_resend.script = ["422"]
    self_service.request_magic_link(email=user.email)
    drain(mail.MAIL_QUEUE)
    assert len(fake_resend.requests) == 1 and fake_resend.messages == []
    last = mail_runs()[-1]
    assert last.result == "failed"
    assert last.meta["error"] == "Resend refused the email (HTTP 422)"
    assert user.email not in str(last.meta)  # the ledger names the outbox row, not the person
    with tenant_session(None) as session:
        waiting = session.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = 'todo'"
            ),
            {"t": mail.SEND_MAIL_TASK},
        ).scalar_one()
        gone = session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email))
        assert waiting == 0 and gone.all() == []


def test_notification_and_digest_carry_one_click_unsubscribe(
    fake_resend: FakeResend,
) -> None:
    tenant = make_tenant()
    actor, user = make_user(tenant=tenant), make_user(tenant=tenant)
    with tenant_session(ctx(tenant, actor)) as session:
        for type_, title in (("approval_requested", "Approve the cut"), ("comment", "New comment")):
            fan_out(
                session=session,
                type_=type_,
                tenant_id=tenant.id,
                actor_id=actor.id,
                recipients=[user.id],
                payload={"title": title, "link": "/projects"},
            )
    drain(EMAIL_QUEUE)
    [single] = fake_resend.to(user.email)
    assert single["subject"] == "Approve the cut"
    assert "http://localhost:3000/projects" in single["text"]
    unsubscribe = single["headers"]["List-Unsubscribe"]
    assert re.fullmatch(
        r"<http://localhost:3000/api/notifications/unsubscribe\?token=v1\.\S+>", unsubscribe
    )
    assert single["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert fake_resend.requests[0]["key"].startswith("notification/")
    cutoff = digest_cutoff(datetime.now(UTC).replace(year=datetime.now(UTC).year + 1))
    assert send_digest(tenant_id=tenant.id, user_id=user.id, cutoff=cutoff) == 1
    digest = fake_resend.to(user.email)[-1]
    assert digest["subject"] == f"{tenant.name}: your daily summary: 1 update"
    assert "New comment" in digest["text"] and "/api/notifications/unsubscribe" in digest["text"]
    assert digest["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert fake_resend.requests[-1]["key"] == f"digest/{user.id}/{cutoff.date().isoformat()}"


def test_queue_commits_with_the_callers_transaction(fake_resend: FakeResend) -> None:
    email = mail.Email(to="rolled.back@example.test", subject="s", text="t", html="<p>t</p>")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), tenant_session(None) as session:
        mail.queue(session, email)
        raise Abort
    drain(mail.MAIL_QUEUE)
    assert fake_resend.requests == []
    with tenant_session(None) as session:
        rows = session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == email.to))
        assert rows.all() == []


def _runs(job_name: str) -> list[JobRun]:
    with tenant_session(None) as session:
        query = select(JobRun).where(JobRun.job_name == job_name)
        return list(session.scalars(query.order_by(JobRun.started_at)))


def test_failed_notification_and_digest_sends_show_as_failed_runs(
    fake_resend: FakeResend,
) -> None:
    tenant = make_tenant()
    actor, user = make_user(tenant=tenant), make_user(tenant=tenant)
    with tenant_session(ctx(tenant, actor)) as session:
        for type_ in ("approval_requested", "comment"):
            fan_out(
                session=session,
                type_=type_,
                tenant_id=tenant.id,
                actor_id=actor.id,
                recipients=[user.id],
                payload={"title": "Refused", "link": "/projects"},
            )
    fake_resend.script = ["422"]
    drain(EMAIL_QUEUE)
    last = _runs(EMAIL_TASK)[-1]
    assert last.result == "failed" and last.meta["error"] == "Resend refused the email (HTTP 422)"
    fake_resend.script = ["500"] * 100  # the provider is down for the digest run
    later = datetime.now(viewer_zone()).date() + timedelta(days=2)
    tick = datetime.combine(later, time(8), tzinfo=viewer_zone())
    notification_digests(int(tick.timestamp()))
    run = _runs("notification_digests")[-1]
    assert run.result == "failed" and run.meta["failed_users"] >= 1
    with tenant_session(ctx(tenant)) as session:
        waiting = session.scalars(
            select(Notification.email_status).where(
                Notification.user_id == user.id, Notification.type == "comment"
            )
        ).all()
    assert waiting == ["digest"]  # still waiting for the next hour's run
