"""The bell in the layout: unread count and latest notifications, updated live."""

from __future__ import annotations

import asyncio
from uuid import UUID

import reflex as rx

from portal.db import TenantContext, tenant_session
from portal.integrations.pg_listen import LISTENER
from portal.integrations.worker_status import worker_id
from portal.services.accounts.session_check import current_user
from portal.services.notifications.inbox import (
    NotificationView,
    latest,
    mark_all_read,
    mark_read,
    unread_count,
)
from portal.state import live
from portal.state.session import SessionState, guard

# Fallback poll when no NOTIFY arrives (a lost LISTEN connection only delays updates).
POLL_SECONDS = 30.0
# A tab's live updates stop after this many wake-ups or polls (about 4 hours of polling).
MAX_WAKEUPS = 500


def _load(ctx: TenantContext, user_id: UUID) -> tuple[int, list[NotificationView]]:
    with tenant_session(ctx) as session:
        return unread_count(session=session, user_id=user_id), latest(
            session=session, user_id=user_id
        )


class BellState(SessionState):
    """Unread count and panel; every handler re-checks the session (own notifications only)."""

    unread: int = 0
    items: list[NotificationView] = []
    bell_error: str = ""
    # The backend worker holding this tab's websocket (events run where their socket is): the
    # same opaque id as the X-Portal-Worker header, for operators and the scale-out test.
    served_by: str = ""

    def _reload(self) -> None:
        user = self._require_user()
        self.unread, self.items = _load(user.context, user.user_id)

    @rx.event
    @guard(message="bell_error", clear=("unread", "items"))
    def start(self):  # type: ignore[no-untyped-def]
        """on_mount of the bell: load, then follow changes live."""
        self.served_by = worker_id()
        self._reload()
        # One loop per tab per worker, known to the worker (never a flag in state: see live.py).
        if not live.running("bell", self.router.session.client_token):
            return BellState.watch
        return None

    @rx.event
    @guard(message="bell_error")
    def open_item(self, notification_id: str):  # type: ignore[no-untyped-def]
        """Mark one notification read and go to what it is about."""
        with self._db() as session:
            mark_read(
                session=session,
                user_id=self._require_user().user_id,
                notification_id=notification_id,
            )
        self._reload()
        link = next((i.link for i in self.items if i.id == notification_id), "/")
        return rx.redirect(link)

    @rx.event
    @guard(message="bell_error")
    def read_all(self) -> None:
        """Mark every notification of the user read."""
        with self._db() as session:
            mark_all_read(session=session, user_id=self._require_user().user_id)
        self._reload()

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Wait for NOTIFY (or the poll) and refresh, while the tab is open and signed in."""
        async with self:
            token, client = self._session_token(), self.router.session.client_token
        if not live.claim("bell", client):
            return
        try:
            user = await asyncio.to_thread(current_user, token)
            for _ in range(MAX_WAKEUPS):
                if user is None or not live.socket_here(client):
                    break
                await LISTENER.wait(str(user.user_id), POLL_SECONDS)
                # Re-check the session after every wait: a signed-out tab stops here.
                user = await asyncio.to_thread(current_user, token)
                if user is None:
                    break
                count, items = await asyncio.to_thread(_load, user.context, user.user_id)
                async with self:
                    # The tab signed out or changed hands meanwhile: these are not its items.
                    if self._session_token() != token:
                        break
                    self.unread, self.items = count, items
        finally:
            live.release("bell", client)
