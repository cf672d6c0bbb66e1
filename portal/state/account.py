"""Account page state: own name, password and active sessions."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import self_service
from portal.services.accounts.self_service import SessionView
from portal.state.session import SessionState, guard


class AccountState(SessionState):
    """The signed-in user's own profile and sessions."""

    name_value: str = ""
    profile_message: str = ""
    password_error: str = ""
    password_notice: str = ""
    sessions_error: str = ""
    sessions: list[SessionView] = []

    @rx.event
    @guard(message="sessions_error")
    def load(self) -> None:
        """Fill the form and the session list."""
        user = self._require_user()
        self.sessions = self_service.list_sessions(user=user)
        self.name_value = user.name
        self.profile_message = self.password_error = self.password_notice = ""

    @rx.event
    def set_name_value(self, value: str) -> None:
        self.name_value = value[:500]

    @rx.event
    @guard(message="profile_message")
    def save_name(self, form: dict) -> None:
        """Save the display name."""
        self_service.update_profile(user=self._require_user(), name=str(form.get("name", "")))
        self.user_name = self.name_value = str(form.get("name", "")).strip()
        self.profile_message = "Saved."

    @rx.event
    @guard(message="password_error")
    def change_password(self, form: dict):  # type: ignore[no-untyped-def]
        """Change password (current one re-checked); other browsers are signed out."""
        self.password_notice = ""
        user = self._require_user()
        self_service.change_password(
            user=user,
            current=str(form.get("current", "")),
            new=str(form.get("new", "")),
            confirm=str(form.get("confirm", "")),
        )
        self.sessions = self_service.list_sessions(user=user)
        self.password_notice = "Password changed. Other browsers have been signed out."
        return rx.set_value("current", "")

    @rx.event
    @guard(message="sessions_error")
    def revoke(self, session_id: str) -> None:
        """End one of your own sessions."""
        user = self._require_user()
        self_service.revoke_session(user=user, session_id=str(session_id))
        self.sessions = self_service.list_sessions(user=user)
