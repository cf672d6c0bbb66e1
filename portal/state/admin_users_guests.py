"""Guest identities on the users page: who commented on share links, and removing them."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import users as users_admin
from portal.services.accounts.users import GuestView
from portal.services.core.errors import PortalError
from portal.state.session import SessionState


class GuestsState(SessionState):
    """The users page's guest section (admins only; every handler checks the session)."""

    guests: list[GuestView] = []
    error: str = ""
    notice: str = ""

    def _act(self, action, notice: str):  # type: ignore[no-untyped-def]
        """Run one action with the server-side session check, then reload the guests."""
        self.error = self.notice = ""
        try:
            user = self._require_user(("admin",))
            action(user)
            self.guests = users_admin.list_guests(user=user)
        except PortalError as exc:
            self.error = exc.user_message
            self.guests = []
            return self._failure(exc)
        self.notice = notice
        return None

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """List the guest identities in the viewer's scope."""
        return self._act(lambda user: None, "")

    @rx.event
    def remove(self, user_id: str):  # type: ignore[no-untyped-def]
        """Remove a guest identity (its comments stay, shown as "Guest")."""
        return self._act(
            lambda user: users_admin.remove_guest(user=user, user_id=str(user_id)[:64]),
            "Guest removed. Their comments stay, shown as Guest.",
        )
