"""Tenant administration by studio admins: agency tenants, residency policy, branding."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.db import tenant_session
from portal.models import Project, Tenant, User
from portal.services.accounts.auth import SessionUser
from portal.services.accounts.view_types import RESIDENCY_POLICIES, TenantView
from portal.services.core.branding import DEFAULT_ACCENT, HEX_COLOUR, accent_from
from portal.services.core.errors import InvalidInput, NotFound
from portal.services.core.permissions import Action, require
from portal.services.core.rows import insert_row
from portal.services.core.validation import MAX_TITLE, reject_control


def list_tenants(*, user: SessionUser) -> list[TenantView]:
    """The studio's tenant and every agency it manages, with user and project counts."""
    require(user, Action.MANAGE_TENANTS)
    users = (
        select(User.tenant_id, func.count().label("n"))
        .where(User.role != "guest")
        .group_by(User.tenant_id)
        .subquery()
    )
    projects = (
        select(Project.tenant_id, func.count().label("n")).group_by(Project.tenant_id).subquery()
    )
    query = (
        select(Tenant, users.c.n, projects.c.n)
        .outerjoin(users, users.c.tenant_id == Tenant.id)
        .outerjoin(projects, projects.c.tenant_id == Tenant.id)
        .where(Tenant.id == func.any(func.app_tenant_scope()))
        .order_by(Tenant.type, Tenant.name)
    )
    with tenant_session(user.context) as session:
        rows = session.execute(query).all()
    return [
        TenantView(
            id=str(t.id),
            name=t.name,
            type=t.type,
            residency_policy=t.residency_policy,
            accent_color=(t.branding or {}).get("accent_color", DEFAULT_ACCENT),
            status=t.status,
            users=n_users or 0,
            projects=n_projects or 0,
            client_file_retention=str(t.client_file_retention_days or ""),
        )
        for t, n_users, n_projects in rows
    ]


def tenant_in_scope(session: Session, tenant_id: str | UUID) -> Tenant:
    """A tenant the session's scope includes (tenants carry no RLS, so it is checked here)."""
    try:
        wanted = UUID(str(tenant_id))
    except ValueError:
        raise NotFound() from None
    tenant = session.scalar(
        select(Tenant).where(Tenant.id == wanted, Tenant.id == func.any(func.app_tenant_scope()))
    )
    if tenant is None:
        raise NotFound("That tenant does not exist or is not one you manage.")
    return tenant


def _validate(name: str, residency_policy: str, accent_color: str) -> tuple[str, str, str]:
    name = reject_control((name or "").strip(), label="The tenant name")
    if not name or len(name) > MAX_TITLE:
        raise InvalidInput(f"A tenant needs a name of at most {MAX_TITLE} characters.")
    if residency_policy not in RESIDENCY_POLICIES:
        raise InvalidInput("Choose a residency policy from the list.")
    accent_color = (accent_color or DEFAULT_ACCENT).strip()
    if not HEX_COLOUR.match(accent_color):
        raise InvalidInput("The accent colour must look like #3a86ff.")
    return name, residency_policy, accent_color.lower()


def create_tenant(
    *, user: SessionUser, name: str, residency_policy: str = "AU", accent_color: str = ""
) -> str:
    """Create an agency tenant managed by the caller's studio tenant; returns its id."""
    require(user, Action.MANAGE_TENANTS)
    name, residency_policy, accent_color = _validate(name, residency_policy, accent_color)
    with tenant_session(user.context) as session:
        tenant = insert_row(
            session,
            Tenant(
                name=name,
                type="agency",
                managed_by=user.tenant_id,
                residency_policy=residency_policy,
                branding={"accent_color": accent_color},
            ),
        )
    return str(tenant.id)


def update_tenant(
    *,
    user: SessionUser,
    tenant_id: str,
    name: str,
    residency_policy: str,
    accent_color: str,
    active: bool = True,
    client_file_retention: str | None = None,
) -> None:
    """Edit a managed tenant's name, residency policy, accent colour and status (and, when
    given, how many days client files are kept: "" keeps them until deleted)."""
    require(user, Action.MANAGE_TENANTS)
    name, residency_policy, accent_color = _validate(name, residency_policy, accent_color)
    with tenant_session(user.context) as session:
        tenant = tenant_in_scope(session, tenant_id)
        if tenant.type == "admin" and not active:
            raise InvalidInput("The studio tenant cannot be deactivated.")
        tenant.name, tenant.residency_policy = name, residency_policy
        tenant.branding = {**(tenant.branding or {}), "accent_color": accent_color}
        tenant.status = "active" if active else "inactive"
        if client_file_retention is not None:
            tenant.client_file_retention_days = _retention_days(client_file_retention)
        insert_row(session, tenant)


MAX_RETENTION_DAYS = 3650


def _retention_days(value: str) -> int | None:
    value = str(value).strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_RETENTION_DAYS:
        raise InvalidInput(
            f"Keep client files for 1 to {MAX_RETENTION_DAYS} days (or leave it empty)."
        )
    return int(value)


def accent_of(tenant_id: UUID) -> str:
    """The tenant's accent colour for its UI and emails (validated when saved)."""
    with tenant_session(None) as session:
        tenant = session.get(Tenant, tenant_id)
    return accent_from(tenant.branding if tenant else None)
