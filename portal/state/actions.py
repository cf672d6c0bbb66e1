"""Shared by the project pages' states: select options and the checked-write pattern."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from portal.db import tenant_session
from portal.services.accounts.auth import SessionUser
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action, require
from portal.state.session import SessionState

ROLES = ("admin", "agency")


@dataclass(frozen=True)
class Option:
    """One choice in a select (value is what the server receives)."""

    value: str
    label: str


def options(pairs: list[tuple[str, str]]) -> list[Option]:
    return [Option(value, label) for value, label in pairs]


def run_checked(
    state: SessionState, action: Action, work: Callable[[Session, SessionUser], Any]
) -> str:
    """Check the session and the permission on the server, then run `work` in one
    tenant-scoped transaction (with app.user_id set for the audit log).

    Returns "" on success or the message to show; a refused change writes nothing.
    """
    try:
        user = state._require_user(ROLES)
        require(user, action)
        with tenant_session(user.context) as session:
            work(session, user)
    except PortalError as exc:
        return exc.user_message
    return ""
