"""The bell in the layout: unread count and latest notifications, updated live."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from uuid import UUID

import reflex as rx

from portal.db import TenantContext, tenant_session
from portal.integrations.worker_status import worker_id
from portal.services.notifications.inbox import (
    NotificationView,
    latest,
    mark_all_read,
    mark_read,
    unread_count,
)
from portal.state import live
from portal.state.session import SessionState, guard


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

    # Whose notifications the tab's live loop follows (backend only).
    _user_id: str = ""

    def _reload(self) -> None:
        user = self._require_user()
        count, items = _load(user.context, user.user_id)
        self._assign("unread", count)
        self._assign("items", items)
        self._user_id = str(user.user_id)

    @rx.event
    @guard(message="bell_error", clear=("unread", "items"))
    def start(self):  # type: ignore[no-untyped-def]
        """on_mount of the bell: load, then follow changes live."""
        self.served_by = worker_id()
        self._reload()
        # One loop per tab, user and worker, known to the worker (never a flag in state).
        if not live.running(f"bell:{self._user_id}", self.router.session.client_token):
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
        """Follow the user's notifications while the tab is open. Pushed (LISTEN/NOTIFY): no
        database work until one of theirs is added or read."""
        async with self:
            client, user_id = self.router.session.client_token, self._user_id
        if not user_id:
            return
        async with aclosing(live.changes(f"bell:{user_id}", client, {user_id})) as changes:
            async for fired in changes:
                if fired and await self._follow(user_id) is not True:
                    return

    @guard(message="bell_error", clear=("unread", "items"), keep_message=True, shared_check=True)
    async def _follow(self, user_id: str) -> bool:
        """Re-read the count and the panel outside the state lock (the session checked afresh
        by `guard`); False once the tab belongs to someone else."""
        async with self:
            token = self._session_token()
        user = self._require_user()
        if str(user.user_id) != user_id:
            return False
        count, items = await asyncio.to_thread(_load, user.context, user.user_id)
        async with self:
            # The tab signed out or changed hands meanwhile: these are not its items.
            if self._session_token() != token:
                return False
            self._assign("unread", count)
            self._assign("items", items)
        return True
