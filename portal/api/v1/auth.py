"""Bearer personal access tokens: who calls, what the token's scopes allow, the rate limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portal.api.v1.problems import ApiProblem
from portal.services.accounts.api_tokens import ApiPrincipal, check_token
from portal.services.core.permissions import Action, can
from portal.settings import get_settings

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PersonalAccessToken",
    description="A personal access token from /account/tokens: `Authorization: Bearer mmp_…`.",
)


def principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiPrincipal:
    """The live token's principal; 401 without one, 429 (Retry-After) above the rate limit."""
    token = credentials.credentials if credentials else None
    found = check_token(token, limit=get_settings().api_rate_limit_per_minute)
    if found is None:
        raise ApiProblem(
            401,
            "unauthorized",
            "Send a live personal access token as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": 'Bearer realm="portal"'},
        )
    if found.retry_after > 0:
        raise ApiProblem(
            429,
            "rate_limited",
            f"This token made too many calls this minute. Retry in {found.retry_after} s.",
            headers={"Retry-After": str(found.retry_after)},
        )
    return found


def scope(family: str, *, write: bool = False) -> Callable[..., ApiPrincipal]:
    """A dependency: the principal, if its token grants `family` (write access for writes)."""

    def allowed(who: Annotated[ApiPrincipal, Depends(principal)]) -> ApiPrincipal:
        if not who.allows(family, write=write):
            wanted = f"{family}:{'write' if write else 'read'}"
            raise ApiProblem(403, "insufficient_scope", f"This token lacks the {wanted} scope.")
        return who

    return allowed


def permitted(who: ApiPrincipal, action: Action) -> None:
    """The same permission matrix as the pages (docs/permissions.md)."""
    if not can(who.user, action):
        raise ApiProblem(403, "forbidden", "You do not have permission to do that.")
