"""Small factory functions; everything is written as the app writes it (runtime role, RLS)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from portal.db import TenantContext, tenant_session
from portal.models import (
    Asset,
    Comment,
    Milestone,
    Notification,
    Project,
    ShareLink,
    Task,
    Tenant,
    TusUpload,
    User,
)
from portal.services.accounts.auth import SessionUser, resolve_session, sign_in
from portal.services.accounts.passwords import hash_password, new_token, token_hash
from portal.services.core.locale import today
from portal.services.media.assets import create_asset_version
from portal.services.projects.projects import create_project

PASSWORD = "correct-horse-battery"


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def make_tenant(
    *, type: str = "agency", managed_by: Tenant | None = None, name: str | None = None
) -> Tenant:
    with tenant_session(None) as session:
        tenant = Tenant(
            name=name or unique("Tenant"),
            type=type,
            managed_by=managed_by.id if managed_by else None,
        )
        session.add(tenant)
        session.flush()
    return tenant


def make_user(
    *,
    tenant: Tenant,
    role: str = "agency",
    email: str | None = None,
    password: str | None = PASSWORD,
    status: str = "active",
    name: str = "Test User",
) -> User:
    with tenant_session(TenantContext(tenant_id=tenant.id)) as session:
        user = User(
            tenant_id=tenant.id,
            role=role,
            name=name,
            status=status,
            email=email or f"{uuid.uuid4().hex[:12]}@example.test",
            password_hash=hash_password(password) if password else None,
        )
        session.add(user)
        session.flush()
    return user


def session_of(user: User) -> SessionUser:
    """`user` signed in with the password (PASSWORD), as a handler resolves the session."""
    session = resolve_session(sign_in(email=user.email, password=PASSWORD).token)
    assert session is not None
    return session


def make_studio_admin() -> tuple[Tenant, SessionUser]:
    """An admin tenant and its admin, signed in."""
    tenant = make_tenant(type="admin")
    return tenant, session_of(make_user(tenant=tenant, role="admin"))


def ctx(tenant: Tenant, user: User | None = None, *, admin_scope: bool = False) -> TenantContext:
    return TenantContext(
        tenant_id=tenant.id, user_id=user.id if user else None, admin_scope=admin_scope
    )


@dataclass
class TenantGraph:
    """One row in every tenant-owned table for a tenant."""

    tenant: Tenant
    user: User
    project: Project
    milestone: Milestone
    task: Task
    asset: Asset
    share_link: ShareLink
    comment: Comment
    notification: Notification
    tus_upload: TusUpload


def asset_of(graph: TenantGraph) -> Asset:
    """The graph's asset as it is stored now."""
    with tenant_session(ctx(graph.tenant)) as session:
        return session.exec(select(Asset).where(Asset.id == graph.asset.id)).one()


def make_graph(tenant: Tenant | None = None, *, managed_by: Tenant | None = None) -> TenantGraph:
    """A tenant with a user, project, milestone, task, asset, share link, comment, notification."""
    tenant = tenant or make_tenant(managed_by=managed_by)
    user = make_user(tenant=tenant)
    with tenant_session(ctx(tenant, user)) as session:
        project = Project(tenant_id=tenant.id, client_name="Client", title=unique("Project"))
        session.add(project)
        session.flush()
        milestone = Milestone(
            tenant_id=tenant.id,
            project_id=project.id,
            title="Edit",
            due_date=date.today() + timedelta(days=7),
        )
        session.add(milestone)
        session.flush()
        task = Task(
            tenant_id=tenant.id, milestone_id=milestone.id, title="Cut", assignee_id=user.id
        )
        asset = Asset(tenant_id=tenant.id, project_id=project.id, title="Cut 1", version=1)
        session.add_all([task, asset])
        session.flush()
        share_link = ShareLink(
            tenant_id=tenant.id,
            asset_id=asset.id,
            hashed_token=token_hash(new_token()),
            expires_at=datetime.now(UTC) + timedelta(days=14),
        )
        comment = Comment(
            tenant_id=tenant.id,
            parent_type="task",
            parent_id=task.id,
            author_id=user.id,
            body="Looks great",
        )
        notification = Notification(tenant_id=tenant.id, user_id=user.id, type="task_assigned")
        tus_upload = TusUpload(
            tenant_id=tenant.id,
            project_id=project.id,
            uploader_id=user.id,
            title="Cut 2",
            filename="cut.mp4",
            upload_length=1000,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        session.add_all([share_link, comment, notification, tus_upload])
        session.flush()
    return TenantGraph(
        tenant, user, project, milestone, task, asset, share_link, comment, notification, tus_upload
    )


@dataclass
class Studio:
    """Studio tenant + admin, a managed agency + member, and one project of the agency."""

    studio: Tenant
    admin: User
    agency: Tenant
    member: User
    project: Project

    @property
    def admin_ctx(self) -> TenantContext:
        return ctx(self.studio, self.admin, admin_scope=True)

    @property
    def member_ctx(self) -> TenantContext:
        return ctx(self.agency, self.member)


START = today() - timedelta(days=30)
END = today() + timedelta(days=60)


def make_studio() -> Studio:
    """A studio managing one agency, with a dated project: the setting most tests need."""
    studio = make_tenant(type="admin")
    admin = make_user(
        tenant=studio, role="admin", name="Ada Admin", email=f"ada.{unique('x')[-8:]}@studio.test"
    )
    agency = make_tenant(managed_by=studio)
    member = make_user(
        tenant=agency, name="Sam Member", email=f"sam.{unique('x')[-8:]}@agency.test"
    )
    with tenant_session(ctx(studio, admin, admin_scope=True)) as session:
        project = create_project(
            session=session,
            tenant_id=agency.id,
            client_name="Client",
            title=unique("Project"),
            start_date=START,
            end_date=END,
            created_by=admin.id,
        )
    return Studio(studio, admin, agency, member, project)


def ready_version(
    studio: Studio, *, title: str = "Hero film", fps: str | int = 25, duration: str | int = "12.5"
) -> Asset:
    """A ready version of the `title` deliverable in the studio's project (no media files)."""
    with tenant_session(studio.admin_ctx) as session:
        return create_asset_version(
            session=session,
            project_id=studio.project.id,
            title=title,
            status="ready",
            duration=Decimal(duration),
            frame_rate=Decimal(fps),
        )
