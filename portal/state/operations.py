"""Operations page state: job runs and webhook events for studio admins, refreshed live."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from uuid import UUID

import reflex as rx

from portal.db import tenant_session
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action, require
from portal.services.operations.views import (
    JobRunRow,
    WebhookEventRow,
    job_run_rows,
    redacted_payload,
    webhook_event_rows,
)
from portal.services.operations.webhooks import replay_webhook_event
from portal.state import live
from portal.state.session import SessionState

ROLES = ("admin",)
ALL = "all"
REFRESH_SECONDS = 3.0


# Live updates stop after this many refreshes (a forgotten tab does not poll forever).
MAX_REFRESHES = 600


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

    def _operator(self) -> None:
        user = self._require_user(ROLES)
        require(user, Action.OPERATE)

    def _refresh(self) -> None:
        args = (self.job_filter, self.result_filter, self.source_filter, self.status_filter)
        self.job_runs, self.events = _load(*args)

    def _guarded(self) -> bool:
        try:
            self._operator()
        except PortalError as exc:
            self.job_runs, self.events, self.payload = [], [], ""
            self.error = exc.user_message
            return False
        self.error = ""
        return True

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: check the operator, load both lists and start live updates."""
        if not self._guarded():
            return None
        self._refresh()
        if not live.running("operations", self.router.session.client_token):
            return OperationsState.watch
        return None

    @rx.event
    def set_filter(self, name: str, value: str) -> None:
        """Change one filter (job, result, source or status) and reload."""
        if not self._guarded() or name not in ("job", "result", "source", "status"):
            return
        setattr(self, f"{name}_filter", str(value)[:100])
        self._refresh()

    @rx.event
    def show_payload(self, event_id: str) -> None:
        """Open one event's payload, with secrets redacted and email addresses masked."""
        if not self._guarded():
            return
        try:
            with tenant_session(None) as session:
                self.payload = redacted_payload(session=session, event_id=UUID(event_id))
        except ValueError:
            self.payload = ""
        self.payload_event = event_id if self.payload else ""

    @rx.event
    def replay(self, event_id: str) -> None:
        """Queue a processed, ignored or dead event again."""
        if not self._guarded():
            return
        try:
            with tenant_session(None) as session:
                done = replay_webhook_event(session=session, event_id=UUID(event_id))
        except ValueError:
            done = False
        self.message = "Event queued again." if done else "That event cannot be replayed now."
        self._refresh()

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Refresh the lists every few seconds while the page is open and the user may see it."""
        async with self:
            client = self.router.session.client_token
        loop = live.ticks("operations", client, REFRESH_SECONDS, MAX_REFRESHES)
        async with aclosing(loop) as ticks:
            async for _ in ticks:
                async with self:
                    if not self._guarded():
                        return
                    args = (
                        self.job_filter,
                        self.result_filter,
                        self.source_filter,
                        self.status_filter,
                    )
                runs, events = await asyncio.to_thread(_load, *args)
                async with self:
                    # Checked again: the tab may have signed out while the lists loaded.
                    if not self._guarded():
                        return
                    self.job_runs, self.events = runs, events
