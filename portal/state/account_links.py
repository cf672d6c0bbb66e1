"""State of the pages reached from emailed links (magic link, reset, invite) and 'forgot'.

The token is already in the page's URL; it is copied into a hidden form field only. Nothing
else about the account is shown beyond what the link's owner needs (email, tenant name).
"""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.services.accounts import self_service, tokens
from portal.services.core.errors import PortalError


class LinkState(rx.State):
    """Common part: the token, its validity and the message for ?error=."""

    token: str = ""
    valid: bool = False
    error: str = ""
    email: str = ""
    tenant_name: str = ""
    # The page to open once signed in (a same-site path from ?next=, "" for the dashboard).
    next_path: str = ""

    def _read(self, purpose: str) -> None:
        params = dict(self.router.url.query_parameters)
        self.token = str(params.get("token", ""))[: tokens.MAX_TOKEN]
        back = routes.safe_next(params.get("next"))
        self.next_path = "" if back == routes.DASHBOARD else back
        self.error = self_service.form_message(str(params.get("error", "")))
        try:
            info = (
                self_service.peek_invite(self.token)
                if purpose == "invite"
                else tokens.peek(self.token, purpose)
            )
        except PortalError as exc:
            self.valid, self.email, self.tenant_name = False, "", ""
            self.error = exc.user_message
            return
        self.valid, self.email, self.tenant_name = True, info.email, info.tenant_name


class MagicState(LinkState):
    """/login/magic: confirm before the single-use link is spent."""

    @rx.event
    def load(self) -> None:
        self._read("magic_link")


class ResetState(LinkState):
    """/reset: choose a new password."""

    @rx.event
    def load(self) -> None:
        self._read("password_reset")


class InviteState(LinkState):
    """/invite: accept an invitation."""

    @rx.event
    def load(self) -> None:
        self._read("invite")


class ForgotState(rx.State):
    """/forgot: ask for a reset link."""

    error: str = ""

    @rx.event
    def load(self) -> None:
        self.error = self_service.form_message(
            str(self.router.url.query_parameters.get("error", ""))
        )
