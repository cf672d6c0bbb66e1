"""Outbound webhooks (migration 0027, services/outbound): SSRF guard, secrets shown once and
sealed at rest, events emitted in the writer's transaction, Standard Webhooks signatures (checked
with the `standardwebhooks` package), retries with backoff through the job queue, dead after the
last attempt, an endpoint disabled after repeated failures, replay, tenant isolation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text
from sqlmodel import select
from standardwebhooks import Webhook, WebhookVerificationError

from portal.db import tenant_session
from portal.models import WebhookDelivery, WebhookEndpoint
from portal.services.core.errors import InvalidInput, PermissionDenied
from portal.services.media.review import decide
from portal.services.outbound import webhooks
from portal.services.outbound.targets import RefusedTarget
from tests.conftest import settings_from
from tests.factories import Studio, ctx, make_studio, ready_version, session_of

pytestmark = pytest.mark.usefixtures("database")


@dataclass
class Receiver:
    url: str
    status: int = 204
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    """A local HTTP endpoint that records each POST and answers `status`."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def allow_private(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with settings_from(monkeypatch, {"OUTBOUND_WEBHOOK_ALLOW_PRIVATE": "true"}):
        yield


def agency_admin(studio: Studio):  # type: ignore[no-untyped-def]
    from tests.factories import make_user

    return session_of(make_user(tenant=studio.agency, role="admin"))


def approve(studio: Studio) -> WebhookDelivery:
    version = ready_version(studio)
    with tenant_session(studio.member_ctx) as session:
        decide(session=session, asset_id=version.id, user_id=studio.member.id, decision="approved")
    with tenant_session(ctx(studio.agency)) as session:
        return session.exec(
            select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc())  # type: ignore[union-attr]
        ).first()


def jobs_for(delivery: WebhookDelivery, owner_conn) -> list:  # type: ignore[no-untyped-def]
    return owner_conn.execute(
        "SELECT scheduled_at FROM procrastinate_jobs WHERE task_name = %s"
        " AND args->>'delivery_id' = %s ORDER BY id",
        (webhooks.DELIVER_TASK, str(delivery.id)),
    ).fetchall()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "https://user:pw@example.com/x",
        "http://localhost:8000/x",
        "http://127.0.0.1/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
        "http://192.168.0.10/x",
        "not a url",
    ],
)
def test_private_local_and_odd_targets_are_refused(studio: Studio, url: str) -> None:
    with pytest.raises(RefusedTarget):
        webhooks.register_endpoint(user=agency_admin(studio), url=url, events=["comment.created"])


def test_the_portal_itself_is_refused(studio: Studio) -> None:
    from portal.settings import get_settings

    with pytest.raises(RefusedTarget, match="portal itself"):
        webhooks.register_endpoint(
            user=agency_admin(studio),
            url=get_settings().portal_url + "/api/v1/projects",
            events=["comment.created"],
        )


def test_only_admins_register_and_events_must_be_known(studio: Studio, allow_private) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        webhooks.register_endpoint(
            user=session_of(studio.member), url="http://127.0.0.1:9/x", events=["comment.created"]
        )
    with pytest.raises(InvalidInput):
        webhooks.register_endpoint(
            user=agency_admin(studio), url="http://127.0.0.1:9/x", events=["everything"]
        )


def test_a_decision_is_delivered_signed_per_standard_webhooks(
    studio: Studio,
    receiver: Receiver,
    allow_private,
    owner_conn,  # type: ignore[no-untyped-def]
) -> None:
    new = webhooks.register_endpoint(
        user=agency_admin(studio), url=receiver.url, events=["version.approved"]
    )
    with tenant_session(ctx(studio.agency)) as session:
        stored = session.get(WebhookEndpoint, webhooks.UUID(new.id))
        assert stored is not None and new.secret not in stored.secret  # sealed at rest
    delivery = approve(studio)
    assert delivery.event_type == "version.approved" and delivery.status == "pending"
    assert len(jobs_for(delivery, owner_conn)) == 1  # queued with the decision's commit

    assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "succeeded"
    ((headers, body),) = receiver.received
    payload = Webhook(new.secret).verify(body, headers)
    assert payload["type"] == "version.approved"
    assert payload["data"]["review_status"] == "approved"
    with pytest.raises(WebhookVerificationError):
        Webhook(new.secret).verify(body + b" ", headers)  # a changed body fails
    with tenant_session(ctx(studio.agency)) as session:
        done = session.get(WebhookDelivery, delivery.id)
        assert done is not None and done.status == "succeeded" and done.response_status == 204
        assert done.attempts == 1 and done.latency_ms is not None
    # Delivered once: a second run of the job sends nothing.
    assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "gone"
    assert len(receiver.received) == 1


def test_failures_retry_with_backoff_then_die_and_disable_the_endpoint(
    studio: Studio,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    owner_conn,  # type: ignore[no-untyped-def]
) -> None:
    receiver.status = 500
    env = {
        "OUTBOUND_WEBHOOK_ALLOW_PRIVATE": "true",
        "OUTBOUND_WEBHOOK_MAX_ATTEMPTS": "3",
        "OUTBOUND_WEBHOOK_DISABLE_AFTER": "3",
    }
    with settings_from(monkeypatch, env):
        new = webhooks.register_endpoint(
            user=agency_admin(studio), url=receiver.url, events=["version.approved"]
        )
        delivery = approve(studio)
        before = datetime.now(UTC)
        assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "failed"
        after = datetime.now(UTC)
        with tenant_session(ctx(studio.agency)) as session:
            failed = session.get(WebhookDelivery, delivery.id)
            assert failed is not None and failed.response_status == 500
            assert failed.response_excerpt == "ok" and failed.attempts == 1
            assert failed.next_attempt_at is not None
            # 30 s after the attempt, however long the attempt took (no speed assumed).
            wait = webhooks.backoff(1)
            assert wait == timedelta(seconds=30)
            assert before + wait <= failed.next_attempt_at <= after + wait
        scheduled = [row[0] for row in jobs_for(delivery, owner_conn)]
        assert len(scheduled) == 2 and scheduled[1] is not None  # the retry waits its turn
        assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "failed"
        assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "dead"
        with tenant_session(ctx(studio.agency)) as session:
            endpoint = session.get(WebhookEndpoint, webhooks.UUID(new.id))
            assert endpoint is not None and endpoint.status == "disabled"
        # A disabled endpoint gets nothing more; replay queues the delivery again.
        assert approve(studio) is not None
        receiver.status = 204
        webhooks.replay(user=agency_admin(studio), delivery_id=str(delivery.id))
        assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "dead"
    assert len(receiver.received) == 3


def test_a_target_gone_private_is_not_called(
    studio: Studio, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    with settings_from(monkeypatch, {"OUTBOUND_WEBHOOK_ALLOW_PRIVATE": "true"}):
        webhooks.register_endpoint(
            user=agency_admin(studio), url=receiver.url, events=["version.approved"]
        )
        delivery = approve(studio)
    assert webhooks.deliver(delivery_id=delivery.id, tenant_id=studio.agency.id) == "failed"
    assert receiver.received == []
    with tenant_session(ctx(studio.agency)) as session:
        failed = session.get(WebhookDelivery, delivery.id)
        assert failed is not None and "private or local" in (failed.last_error or "")


def test_events_stay_in_their_tenant_and_roll_back_with_the_change(
    studio: Studio,
    receiver: Receiver,
    allow_private,  # type: ignore[no-untyped-def]
) -> None:
    other = make_studio()
    webhooks.register_endpoint(
        user=agency_admin(other), url=receiver.url, events=["version.approved", "comment.created"]
    )
    approve(studio)
    with tenant_session(ctx(other.agency)) as session:
        assert session.exec(select(WebhookDelivery)).all() == []
    with tenant_session(ctx(studio.agency)) as session:
        assert session.exec(select(WebhookEndpoint)).all() == []
    version = ready_version(other)
    with pytest.raises(RuntimeError), tenant_session(other.member_ctx) as session:
        decide(session=session, asset_id=version.id, user_id=other.member.id, decision="approved")
        raise RuntimeError("the request failed after the decision")
    with tenant_session(ctx(other.agency)) as session:
        assert session.exec(select(WebhookDelivery)).all() == []
        assert session.execute(text("SELECT count(*) FROM webhook_endpoints")).scalar() == 1


def test_backoff_doubles_from_30_s_and_stops_at_an_hour() -> None:
    assert [webhooks.backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert webhooks.backoff(8) == webhooks.backoff(50) == timedelta(hours=1)
