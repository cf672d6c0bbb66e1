"""/account/tokens state: the user's personal access tokens (admins: the tenant's)."""

from __future__ import annotations

import reflex as rx

from portal.services.accounts import api_tokens
from portal.services.accounts.view_types import ApiTokenView
from portal.state.session import SessionState, guard


class ApiTokensState(SessionState):
    """Create, list and revoke personal access tokens; a new token is shown once."""

    tokens: list[ApiTokenView] = []
    error: str = ""
    notice: str = ""
    # The token just created: shown until dismissed or the page is left, never again.
    new_token: str = ""

    @rx.event
    @guard()
    def load(self) -> None:
        self.notice = self.new_token = ""
        self.tokens = api_tokens.list_tokens(user=self._require_user())

    @rx.event
    @guard()
    def create(self, form: dict) -> None:
        self.notice = self.new_token = ""
        user = self._require_user()
        created = api_tokens.create_token(
            user=user,
            name=str(form.get("name", "")),
            scopes=api_tokens.scopes_from_form(form),
            expires_days=str(form.get("expires_days", "")),
        )
        self.tokens = api_tokens.list_tokens(user=user)
        self.new_token = created.token

    @rx.event
    def dismiss(self) -> None:
        self.new_token = ""

    @rx.event
    @guard()
    def revoke_token(self, token_id: str) -> None:
        self.notice = ""
        user = self._require_user()
        api_tokens.revoke_token(user=user, token_id=str(token_id))
        self.tokens = api_tokens.list_tokens(user=user)
        self.notice = "Token revoked: it stops working on its next call."
