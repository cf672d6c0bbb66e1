"""Guest identities on the users page: who commented on share links, and removing them."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import users as users_admin
from portal.services.accounts.users import GuestView
from portal.state.session import SessionState, guard


class GuestsState(SessionState):
    """The users page's guest section (admins only; every handler checks the session)."""

    guests: list[GuestView] = []
    error: str = ""
    notice: str = ""

    def _reload(self, notice: str) -> None:
        self.guests = users_admin.list_guests(user=self._require_user())
        self.notice = notice

    @rx.event
    @guard(roles=("admin",), clear=("guests",))
    def load(self) -> None:
        """List the guest identities in the viewer's scope."""
        self._reload("")

    @rx.event
    @guard(roles=("admin",), clear=("guests",))
    def remove(self, user_id: str) -> None:
        """Remove a guest identity (its comments stay, shown as "Guest")."""
        self.notice = ""
        users_admin.remove_guest(user=self._require_user(), user_id=str(user_id)[:64])
        self._reload("Guest removed. Their comments stay, shown as Guest.")
