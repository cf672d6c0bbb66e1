"""The permission matrix, cell by cell, as written in docs/permissions.md."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from portal.services.core.errors import PermissionDenied
from portal.services.core.permissions import Action, Kind, can, kind_of, require


@dataclass
class Who:
    role: str
    tenant_type: str


PEOPLE = {
    Kind.STUDIO_ADMIN: Who("admin", "admin"),
    Kind.AGENCY_ADMIN: Who("admin", "agency"),
    Kind.AGENCY_MEMBER: Who("agency", "agency"),
    Kind.GUEST: Who("guest", "agency"),
}
Y, N = True, False
# action: (studio admin, agency admin, agency member, guest)
EXPECTED = {
    Action.VIEW_PORTAL: (Y, Y, Y, N),
    Action.MANAGE_PROJECTS: (Y, N, N, N),
    Action.MANAGE_MILESTONES: (Y, N, N, N),
    Action.MANAGE_TASKS: (Y, N, N, N),
    Action.UPDATE_TASK_STATUS: (Y, Y, Y, N),
    Action.COMMENT: (Y, Y, Y, N),
    Action.UPLOAD_ASSET: (Y, N, N, N),
    Action.APPROVE_ASSET: (Y, Y, Y, N),
    Action.SHARE: (Y, Y, Y, N),
    Action.VIEW_AUDIT: (Y, Y, N, N),
    Action.MANAGE_TENANTS: (Y, N, N, N),
    Action.MANAGE_USERS: (Y, Y, N, N),
    Action.OPERATE: (Y, N, N, N),
}
CELLS = [
    (action, kind, allowed)
    for action, row in EXPECTED.items()
    for kind, allowed in zip(PEOPLE, row, strict=True)
]


def test_every_action_is_in_the_table() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize(("action", "kind", "allowed"), CELLS)
def test_matrix_cell(action: Action, kind: Kind, allowed: bool) -> None:
    who = PEOPLE[kind]
    assert kind_of(who) == kind
    assert can(who, action) is allowed
    if allowed:
        require(who, action)
    else:
        with pytest.raises(PermissionDenied):
            require(who, action)
