"""Notification settings page state: the user's email mode per notification type."""

from __future__ import annotations

import reflex as rx

from portal.db import tenant_session
from portal.services.core.errors import PortalError
from portal.services.notifications.prefs import PreferenceView, preferences, set_preference
from portal.state.session import SessionState


class NotificationSettingsState(SessionState):
    """Own preferences only: the user id always comes from the session, never the client."""

    prefs: list[PreferenceView] = []
    message: str = ""
    error: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """Load every type with its current mode."""
        try:
            user = self._require_user()
            with tenant_session(user.context) as session:
                self.prefs = preferences(session=session, user_id=user.user_id)
        except PortalError as exc:
            self.error = exc.user_message
            return self._failure(exc)
        self.message = self.error = ""
        return None

    @rx.event
    def choose(self, type_: str, mode: str):  # type: ignore[no-untyped-def]
        """Set one type's email mode (immediately, digest or off)."""
        try:
            user = self._require_user()
            with tenant_session(user.context) as session:
                set_preference(
                    session=session, user_id=user.user_id, type_=str(type_), mode=str(mode)
                )
                self.prefs = preferences(session=session, user_id=user.user_id)
        except PortalError as exc:
            self.error, self.message = exc.user_message, ""
            return self._failure(exc)
        self.error, self.message = "", "Saved."
        return None
