"""The mail backend choice (issue 17): prod needs one, the outbox is explicit, the dev mailbox
exists in development only, and the Resend integration speaks the API with its headers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlalchemy import select, text

from portal import routes
from portal.db import tenant_session
from portal.integrations import resend
from portal.models import OutboxEmail
from portal.pages.registry import PAGES
from portal.services.email import outbox as mail
from portal.settings import Settings, get_settings
from tests.fake_resend import API_KEY, FakeResend

PROD = {
    "_env_file": None,
    "portal_env": "prod",
    "portal_url": "https://portal.example",
    "portal_secret_key": "x" * 40,
}


@pytest.fixture()
def no_mail_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RESEND_API_KEY", "RESEND_API_URL", "MAIL_BACKEND"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_mail_env")
def test_production_refuses_to_start_without_a_mail_backend() -> None:
    with pytest.raises(ValidationError, match="PORTAL_ENV=prod needs a mail backend"):
        Settings(**PROD)
    assert Settings(**PROD, resend_api_key=API_KEY).resend_configured
    closed = Settings(**PROD, mail_backend="outbox", resend_api_key=API_KEY)
    assert not closed.resend_configured  # explicit outbox wins over a leftover key
    with pytest.raises(ValidationError, match="MAIL_BACKEND=resend needs RESEND_API_KEY"):
        Settings(_env_file=None, mail_backend="resend")
    assert not Settings(_env_file=None).resend_configured  # development: the outbox


@pytest.fixture()
def mailbox_module() -> Iterator[None]:
    import portal.pages.mailbox as module

    yield
    PAGES.pop(routes.MAILBOX, None)
    get_settings.cache_clear()
    importlib.reload(module)


@pytest.mark.usefixtures("no_mail_env", "mailbox_module")
def test_the_dev_mailbox_does_not_exist_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    import portal.pages.mailbox as module

    assert routes.MAILBOX in PAGES  # development (the test settings)
    PAGES.pop(routes.MAILBOX)
    for name, value in {
        "PORTAL_ENV": "prod",
        "PORTAL_URL": "https://portal.example",
        "PORTAL_SECRET_KEY": "y" * 40,
        "MAIL_BACKEND": "outbox",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    importlib.reload(module)
    assert routes.MAILBOX not in PAGES
    monkeypatch.undo()


def test_resend_integration_sends_key_and_headers(fake_resend: FakeResend) -> None:
    headers = resend.unsubscribe_headers("https://portal.example/api/notifications/unsubscribe?t=1")
    message_id = resend.send(
        to="a@example.test",
        subject="Hi",
        text="t",
        html="<p>t</p>",
        idempotency_key="k/1",
        headers=headers,
    )
    [request] = fake_resend.requests
    assert request["key"] == "k/1" and request["auth"] == f"Bearer {API_KEY}"
    assert request["body"]["headers"] == {
        "List-Unsubscribe": "<https://portal.example/api/notifications/unsubscribe?t=1>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert fake_resend.sent["k/1"][0] == message_id
    fake_resend.script = ["422"]
    with pytest.raises(resend.PermanentSendError, match=r"^Resend refused the email \(HTTP 422\)$"):
        resend.send(to="b@example.test", subject="x", text="x", html="x", idempotency_key="k/2")


@pytest.mark.usefixtures("database")
def test_the_outbox_backend_keeps_the_email_and_queues_nothing(
    fake_resend: FakeResend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MAIL_BACKEND", "outbox")
    get_settings.cache_clear()
    email = mail.Email(to="closed@example.test", subject="s", text="t", html="<p>t</p>")
    with tenant_session(None) as session:
        outbox_id = mail.queue(session, email)
    with tenant_session(None) as session:
        row = session.scalars(select(OutboxEmail).where(OutboxEmail.id == outbox_id)).one()
        jobs = session.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE args->>'outbox_id' = :id"),
            {"id": str(outbox_id)},
        ).scalar_one()
    assert row.to_address == "closed@example.test" and jobs == 0
    assert fake_resend.requests == []


@pytest.mark.usefixtures("database")
def test_a_job_queued_before_switching_to_the_outbox_keeps_the_email(
    fake_resend: FakeResend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = mail.Email(to="switched@example.test", subject="s", text="t", html="<p>t</p>")
    with tenant_session(None) as session:
        outbox_id = mail.queue(session, email)
    monkeypatch.setenv("MAIL_BACKEND", "outbox")
    get_settings.cache_clear()
    assert mail.send_queued(outbox_id=outbox_id, tenant_id=None) == "kept"
    with tenant_session(None) as session:
        assert session.get(OutboxEmail, outbox_id) is not None
    assert fake_resend.requests == []
