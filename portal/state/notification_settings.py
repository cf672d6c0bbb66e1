"""Notification settings page state: the user's email mode per notification type."""

from __future__ import annotations

import reflex as rx

from portal.services.notifications.prefs import PreferenceView, preferences, set_preference
from portal.state.session import SessionState, guard


class NotificationSettingsState(SessionState):
    """Own preferences only: the user id always comes from the session, never the client."""

    prefs: list[PreferenceView] = []
    message: str = ""
    error: str = ""

    @rx.event
    @guard()
    def load(self) -> None:
        """Load every type with its current mode."""
        with self._db() as session:
            self.prefs = preferences(session=session, user_id=self._require_user().user_id)
        self.message = ""

    @rx.event
    @guard()
    def choose(self, type_: str, mode: str) -> None:
        """Set one type's email mode (immediately, digest or off)."""
        self.message = ""
        user_id = self._require_user().user_id
        with self._db() as session:
            set_preference(session=session, user_id=user_id, type_=str(type_), mode=str(mode))
            self.prefs = preferences(session=session, user_id=user_id)
        self.message = "Saved."
