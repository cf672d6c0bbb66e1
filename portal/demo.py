"""Demo data for `make run`: the studio, two agencies, their people, projects and videos
(idempotent).

Everything is written through the runtime role and tenant-scoped transactions, like the app.
The videos are made with the bundled ffmpeg on the first run and go through the normal upload
and local processing, so each demo deliverable is Ready, with a poster, and plays.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from sqlalchemy import func, select

from portal.db import TenantContext, tenant_session
from portal.integrations.media_local import ffmpeg
from portal.models import Asset, Milestone, Project, Task, Tenant, User
from portal.services.accounts.passwords import hash_password
from portal.services.media.assets import accept_upload
from portal.services.media.mux_events import advance_asset
from portal.services.media.processing import process_asset
from portal.services.media.storage import UploadWriter
from portal.services.projects.projects import create_milestone, create_project
from portal.settings import get_settings

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

# Each demo project has one deliverable; Harbour's campaign has two versions of it to compare.
DELIVERABLE = "{project} — main edit"
VERSIONS = {"Spring Savings Campaign": 2}
CLIP_SECONDS = 6

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
    return _demo_media(tenants) or created


def _demo_project(session, tenant, owner, client, title, status, milestones) -> None:  # type: ignore[no-untyped-def]
    """One project with dated milestones and a few tasks (one overdue); its videos come from
    demo_media."""
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


def _demo_media(tenants: dict[str, Tenant]) -> bool:
    """Every demo deliverable with its versions uploaded by the studio admin and processed."""
    studio = tenants[STUDIO]
    with tenant_session(TenantContext(tenant_id=studio.id)) as session:
        admin = session.scalar(
            select(User)
            .where(User.role == "admin", User.status == "active")
            .order_by(User.created_at)
        )
    if admin is None:
        return False
    ctx = TenantContext(tenant_id=studio.id, user_id=admin.id, admin_scope=True)
    created = False
    for name, projects in DEMO_PROJECTS.items():
        for _client, title, _status, _milestones in projects:
            created = _demo_versions(ctx, tenants[name].id, title) or created
    return created


def _demo_versions(ctx: TenantContext, tenant_id: UUID, project_title: str) -> bool:
    """Bring one project's demo deliverable to its versions: placeholders without a file (left by
    an earlier demo) are dropped, an interrupted processing is finished, missing versions are
    made and uploaded."""
    title = DELIVERABLE.format(project=project_title)
    with tenant_session(ctx) as session:
        project = session.scalar(
            select(Project).where(Project.tenant_id == tenant_id, Project.title == project_title)
        )
        if project is None:
            return False
        live = session.scalars(
            select(Asset).where(Asset.project_id == project.id, Asset.status != "deleted")
        ).all()
        for empty in [a for a in live if a.backend == "local" and a.storage_checksum is None]:
            advance_asset(session=session, asset_id=empty.id, status="deleted")
        mine = [a for a in live if a.storage_checksum and a.deliverable_key == title.lower()]
    for waiting in [a for a in mine if a.status == "processing" and a.backend == "local"]:
        process_asset(asset_id=waiting.id, tenant_id=waiting.tenant_id)
    wanted = VERSIONS.get(project_title, 1)
    for number in range(len(mine) + 1, wanted + 1):
        _upload(ctx, project.id, title, f"{project_title} · v{number}", number)
    return len(mine) < wanted


def _upload(ctx: TenantContext, project_id: UUID, title: str, caption: str, number: int) -> None:
    """A short clip made with ffmpeg, uploaded and processed as a browser upload would be."""
    with tempfile.TemporaryDirectory() as folder:
        clip = _make_clip(Path(folder), caption, number)
        with UploadWriter(f"main-edit-v{number}.mp4") as writer:
            writer.write(clip.read_bytes())
            stored = writer.finish()
    asset = accept_upload(ctx=ctx, project_id=project_id, title=title, stored=stored)
    process_asset(asset_id=asset.id, tenant_id=asset.tenant_id)


def _make_clip(folder: Path, caption: str, number: int) -> Path:
    """A moving test pattern with a tone and the caption (each version looks and sounds apart)."""
    (folder / "caption.txt").write_text(caption)
    font = get_settings().watermark_font
    face = f"fontfile={_quoted(font)}" if font.is_file() else "font=Sans"
    text = (
        f"drawtext={face}:textfile={_quoted(folder / 'caption.txt')}:expansion=none:fontsize=44:"
        "fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=14:x=(w-tw)/2:y=h*0.78"
    )
    target = folder / "clip.mp4"
    seconds = str(CLIP_SECONDS)
    subprocess.run(
        [ffmpeg(), "-v", "error", "-y", "-nostdin"]
        + ["-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=25:duration={seconds}"]
        + ["-f", "lavfi", "-i", f"sine=frequency={330 + 110 * number}:duration={seconds}"]
        + ["-vf", text, "-c:v", "libx264", "-preset", "veryfast", "-crf", "30"]
        + ["-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest"]
        + ["-movflags", "+faststart", str(target)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def _quoted(path: Path) -> str:
    """A path as one quoted ffmpeg filter option value."""
    return "'" + str(path).replace("'", "'\\''") + "'"
