"""Operations page state: job runs and webhook events for studio admins, refreshed live."""

from __future__ import annotations

from contextlib import aclosing
from functools import partial
from uuid import UUID

import reflex as rx

from portal import routes
from portal.db import tenant_session
from portal.services.core.errors import NotSignedIn
from portal.services.core.permissions import Action
from portal.services.operations.views import (
    JobRunRow,
    WebhookEventRow,
    job_run_rows,
    redacted_payload,
    webhook_event_rows,
)
from portal.services.operations.webhooks import replay_webhook_event
from portal.state import live
from portal.state.session import SessionState, guard

ROLES = ("admin",)
ALL = "all"
# What the page shows: emptied when the viewer may not see it.
SHOWN = ("job_runs", "events", "payload")


def _any(value: str) -> str:
    return "" if value == ALL else value


def _load(job: str, result: str, source: str, status: str):  # type: ignore[no-untyped-def]
    with tenant_session(None) as session:
        runs = job_run_rows(session=session, job_name=_any(job), result=_any(result))
        events = webhook_event_rows(session=session, source=_any(source), status=_any(status))
    return runs, events


class OperationsState(SessionState):
    """Job runs and webhook events; every handler re-checks the session and OPERATE."""

    job_runs: list[JobRunRow] = []
    events: list[WebhookEventRow] = []
    job_filter: str = ALL
    result_filter: str = ALL
    source_filter: str = ALL
    status_filter: str = ALL
    # The redacted payload of the event the admin opened, and which event that is.
    payload: str = ""
    payload_event: str = ""
    message: str = ""
    error: str = ""

    def _refresh(self) -> None:
        args = (self.job_filter, self.result_filter, self.source_filter, self.status_filter)
        self.job_runs, self.events = _load(*args)

    @rx.event
    @guard(roles=ROLES, action=Action.OPERATE, clear=SHOWN)
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: check the operator, load both lists and start live updates."""
        self._refresh()
        if not live.running("operations", self.router.session.client_token):
            return OperationsState.watch
        return None

    @rx.event
    @guard(roles=ROLES, action=Action.OPERATE, clear=SHOWN)
    def set_filter(self, name: str, value: str) -> None:
        """Change one filter (job, result, source or status) and reload."""
        if name not in ("job", "result", "source", "status"):
            return
        setattr(self, f"{name}_filter", str(value)[:100])
        self._refresh()

    @rx.event
    @guard(roles=ROLES, action=Action.OPERATE, clear=SHOWN)
    def show_payload(self, event_id: str) -> None:
        """Open one event's payload, with secrets redacted and email addresses masked."""
        try:
            with tenant_session(None) as session:
                self.payload = redacted_payload(session=session, event_id=UUID(event_id))
        except ValueError:
            self.payload = ""
        self.payload_event = event_id if self.payload else ""

    @rx.event
    @guard(roles=ROLES, action=Action.OPERATE, clear=SHOWN)
    def replay(self, event_id: str) -> None:
        """Queue a processed, ignored or dead event again."""
        try:
            with tenant_session(None) as session:
                done = replay_webhook_event(session=session, event_id=UUID(event_id))
        except ValueError:
            done = False
        self.message = "Event queued again." if done else "That event cannot be replayed now."
        self._refresh()

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Follow job runs and webhook events live while the page is open. Pushed
        (LISTEN/NOTIFY): no database work until one of them changed."""
        async with self:
            client = self.router.session.client_token
        async with aclosing(live.changes("operations", client, {"ops"})) as changes:
            async for fired in changes:
                if fired and await self._reload() is not True:
                    return

    @guard(roles=ROLES, action=Action.OPERATE, clear=SHOWN, keep_message=True, shared_check=True)
    async def _reload(self) -> bool:
        """One live refresh, the session checked afresh: the lists are read outside the
        state lock and shown only if the tab still belongs to the session they were read for;
        False once the tab left the page."""
        woken_at = live.LISTENER.sequence
        async with self:
            if not live.on_page(self.router.url.path, routes.OPERATIONS):
                return False
            token = self._session_token()
            args = (self.job_filter, self.result_filter, self.source_filter, self.status_filter)
        runs, events = await live.read_once(("ops", args), woken_at, partial(_load, *args))
        async with self:
            if self._session_token() != token:
                raise NotSignedIn()
            if args == (
                self.job_filter,
                self.result_filter,
                self.source_filter,
                self.status_filter,
            ):
                self._assign("job_runs", list(runs))  # a shared read: never the same list
                self._assign("events", list(events))
        return True
