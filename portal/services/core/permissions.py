"""The permission matrix: which kind of user may do what. Services call `require(...)`.

The matrix is written down in docs/permissions.md; tests/services/core/test_permissions.py checks
every cell. Row-level security still decides *which rows*; this decides *which actions*.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from portal.services.core.errors import PermissionDenied


class Action(StrEnum):
    VIEW_PORTAL = "view_portal"
    MANAGE_PROJECTS = "manage_projects"  # create, edit, archive projects
    MANAGE_MILESTONES = "manage_milestones"  # create, edit, reorder, delete milestones
    MANAGE_TASKS = "manage_tasks"  # create, edit, assign, delete tasks
    UPDATE_TASK_STATUS = "update_task_status"  # move a task through its workflow
    COMMENT = "comment"
    UPLOAD_ASSET = "upload_asset"
    APPROVE_ASSET = "approve_asset"  # approve or request changes
    SHARE = "share"  # create, revoke, extend share links
    VIEW_AUDIT = "view_audit"
    MANAGE_TENANTS = "manage_tenants"  # create and edit agency tenants
    MANAGE_USERS = "manage_users"  # invite, change role, deactivate
    OPERATE = "operate"  # job runs, webhook events, replay, residency, backups


class Kind(StrEnum):
    """Who someone is, for permissions: role combined with the type of their tenant."""

    STUDIO_ADMIN = "studio_admin"  # role admin in the admin tenant
    AGENCY_ADMIN = "agency_admin"  # role admin in an agency tenant
    AGENCY_MEMBER = "agency_member"  # role agency
    GUEST = "guest"  # share-link commenter; no portal access


A = Action
MATRIX: dict[Kind, frozenset[Action]] = {
    Kind.STUDIO_ADMIN: frozenset(Action),
    Kind.AGENCY_ADMIN: frozenset(
        {
            A.VIEW_PORTAL,
            A.UPDATE_TASK_STATUS,
            A.COMMENT,
            A.APPROVE_ASSET,
            A.SHARE,
            A.VIEW_AUDIT,
            A.MANAGE_USERS,
        }
    ),
    Kind.AGENCY_MEMBER: frozenset(
        {A.VIEW_PORTAL, A.UPDATE_TASK_STATUS, A.COMMENT, A.APPROVE_ASSET, A.SHARE}
    ),
    Kind.GUEST: frozenset(),
}


class Actor(Protocol):
    @property
    def role(self) -> str: ...

    @property
    def tenant_type(self) -> str: ...


def kind_of(actor: Actor) -> Kind:
    if actor.role == "admin":
        return Kind.STUDIO_ADMIN if actor.tenant_type == "admin" else Kind.AGENCY_ADMIN
    if actor.role == "agency":
        return Kind.AGENCY_MEMBER
    return Kind.GUEST


def can(actor: Actor, action: Action) -> bool:
    return action in MATRIX[kind_of(actor)]


def require(actor: Actor, action: Action) -> None:
    """Raise PermissionDenied unless `actor` may perform `action`."""
    if not can(actor, action):
        raise PermissionDenied()
