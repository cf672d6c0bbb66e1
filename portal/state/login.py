"""Sign-in page state: the message for the code the auth endpoint redirected with."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.services.accounts.auth import LOGIN_MESSAGES, LOGIN_NOTICES
from portal.state.session import SessionState


class LoginState(SessionState):
    """Shows a clear error or notice; an already signed-in visitor goes to the dashboard."""

    error: str = ""
    notice: str = ""
    next_path: str = ""

    @rx.event
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: map ?error= / ?notice= codes to fixed messages (never echo the URL)."""
        params = dict(self.router.url.query_parameters)
        if self._current_user() is not None:
            return rx.redirect(routes.safe_next(params.get("next")))
        code = params.get("error", "")
        self.error = LOGIN_MESSAGES.get(code, LOGIN_MESSAGES["error"]) if code else ""
        self.notice = LOGIN_NOTICES.get(params.get("notice", ""), "")
        self.next_path = routes.safe_next(params.get("next"))
        return None
