"""Account page state: own name, password and active sessions."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import self_service
from portal.services.accounts.self_service import SessionView
from portal.services.core.errors import PortalError
from portal.state.session import SessionState


class AccountState(SessionState):
    """The signed-in user's own profile and sessions."""

    name_value: str = ""
    profile_message: str = ""
    password_error: str = ""
    password_notice: str = ""
    sessions_error: str = ""
    sessions: list[SessionView] = []

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """Fill the form and the session list."""
        try:
            user = self._require_user()
            self.sessions = self_service.list_sessions(user=user)
        except PortalError as exc:
            return self._failure(exc)
        self.name_value = user.name
        self.profile_message = self.password_error = self.password_notice = ""
        return None

    @rx.event
    def set_name_value(self, value: str) -> None:
        self.name_value = value[:500]

    @rx.event
    def save_name(self, form: dict):  # type: ignore[no-untyped-def]
        """Save the display name."""
        try:
            user = self._require_user()
            self_service.update_profile(user=user, name=str(form.get("name", "")))
        except PortalError as exc:
            self.profile_message = exc.user_message
            return self._failure(exc)
        self.user_name = self.name_value = str(form.get("name", "")).strip()
        self.profile_message = "Saved."
        return None

    @rx.event
    def change_password(self, form: dict):  # type: ignore[no-untyped-def]
        """Change password (current one re-checked); other browsers are signed out."""
        self.password_error = self.password_notice = ""
        try:
            user = self._require_user()
            self_service.change_password(
                user=user,
                current=str(form.get("current", "")),
                new=str(form.get("new", "")),
                confirm=str(form.get("confirm", "")),
            )
            self.sessions = self_service.list_sessions(user=user)
        except PortalError as exc:
            self.password_error = exc.user_message
            return self._failure(exc)
        self.password_notice = "Password changed. Other browsers have been signed out."
        return rx.set_value("current", "")

    @rx.event
    def revoke(self, session_id: str):  # type: ignore[no-untyped-def]
        """End one of your own sessions."""
        self.sessions_error = ""
        try:
            user = self._require_user()
            self_service.revoke_session(user=user, session_id=str(session_id))
            self.sessions = self_service.list_sessions(user=user)
        except PortalError as exc:
            self.sessions_error = exc.user_message
            return self._failure(exc)
        return None
