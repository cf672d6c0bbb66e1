"""Demo data for `make run`: the studio, two agencies, their people and projects (idempotent).

Everything is written through the runtime role and tenant-scoped transactions, like the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.db import TenantContext, tenant_session
from portal.models import Milestone, Project, Task, Tenant, User
from portal.services.accounts.passwords import hash_password
from portal.services.media.assets import create_asset_version
from portal.services.projects.projects import create_milestone, create_project

STUDIO = "Motion Mavericks"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    name: str
    role: str
    tenant: str


# Listed in the README; demo only (a production deployment loads no demo data).
DEMO_ACCOUNTS = (
    DemoAccount("admin@motionmavericks.test", "Mavericks-2026!", "Mia Maverick", "admin", STUDIO),
    DemoAccount(
        "producer@harbourco.test", "Harbour-2026!", "Harper Lane", "agency", "Harbour & Co"
    ),
    DemoAccount(
        "producer@southernlights.test",
        "Southern-2026!",
        "Sol Reyes",
        "agency",
        "Southern Lights Creative",
    ),
)

# tenant -> [(client, project title, status, [milestones])]
DEMO_PROJECTS = {
    STUDIO: [("Motion Mavericks", "Studio Showreel 2026", "active", ["Edit", "Grade", "Deliver"])],
    "Harbour & Co": [
        ("Harbour Bank", "Spring Savings Campaign", "active", ["Script", "Shoot", "Edit"]),
        ("Coastal Ferries", "Summer Timetable Launch", "planning", ["Brief", "Storyboard"]),
    ],
    "Southern Lights Creative": [
        ("Aurora Wines", "Vintage Release Film", "active", ["Pre-production", "Shoot", "Post"]),
    ],
}


def load_demo_data() -> bool:
    """Create whatever of the demo set is missing; True when anything was created."""
    created = False
    tenants: dict[str, Tenant] = {}
    with tenant_session(None) as session:
        for name in [STUDIO, *[n for n in DEMO_PROJECTS if n != STUDIO]]:
            tenant = session.scalar(select(Tenant).where(func.lower(Tenant.name) == name.lower()))
            if tenant is None:
                studio = tenants.get(STUDIO)
                tenant = Tenant(
                    name=name,
                    type="admin" if name == STUDIO else "agency",
                    managed_by=None if name == STUDIO else studio.id if studio else None,
                    branding={"accent_color": "#e4572e" if name == STUDIO else "#3a86ff"},
                )
                session.add(tenant)
                session.flush()
                created = True
            tenants[name] = tenant

    for account in DEMO_ACCOUNTS:
        tenant = tenants[account.tenant]
        with tenant_session(TenantContext(tenant_id=tenant.id)) as session:
            exists = session.scalar(
                select(User.id).where(func.lower(User.email) == account.email.lower())
            )
            if exists is None:
                session.add(
                    User(
                        tenant_id=tenant.id,
                        role=account.role,
                        email=account.email,
                        name=account.name,
                        password_hash=hash_password(account.password),
                    )
                )
                created = True

    for tenant_name, projects in DEMO_PROJECTS.items():
        tenant = tenants[tenant_name]
        with tenant_session(TenantContext(tenant_id=tenant.id)) as session:
            owner = session.scalar(
                select(User).where(User.role != "guest").order_by(User.created_at)
            )
            for client, title, status, milestones in projects:
                if session.scalar(select(Project.id).where(Project.title == title)):
                    continue
                created = True
                _demo_project(session, tenant, owner, client, title, status, milestones)
    return created


def _demo_project(session, tenant, owner, client, title, status, milestones) -> None:  # type: ignore[no-untyped-def]
    """One project with dated milestones, a few tasks (one overdue) and a first asset version."""
    today = date.today()
    project = create_project(
        session=session,
        tenant_id=tenant.id,
        client_name=client,
        title=title,
        status=status,
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=60),
        created_by=owner.id if owner else None,
    )
    for index, name in enumerate(milestones):
        milestone: Milestone = create_milestone(
            session=session,
            project_id=project.id,
            title=name,
            due_date=today + timedelta(days=14 * index - 7),
        )
        for step, task_status in enumerate(("completed", "in_progress", "pending")):
            session.add(
                Task(
                    tenant_id=tenant.id,
                    milestone_id=milestone.id,
                    assignee_id=owner.id if owner else None,
                    title=f"{name}: step {step + 1}",
                    status=task_status,
                    due_date=milestone.due_date,
                    completed_at=func.now() if task_status == "completed" else None,
                )
            )
    create_asset_version(
        session=session,
        project_id=project.id,
        title=f"{title} — first cut",
        uploader_id=owner.id if owner else None,
    )
