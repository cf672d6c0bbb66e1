"""Asset versions (the upload pipeline itself arrives with the assets issue)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.models import Asset, Project
from portal.services.common import insert_row
from portal.services.errors import InvalidInput


def create_asset_version(
    *,
    session: Session,
    project_id: UUID,
    title: str,
    uploader_id: UUID | None = None,
    milestone_id: UUID | None = None,
    version: int | None = None,
) -> Asset:
    """Record a new asset version; the next free number unless `version` is given.

    (project_id, version) is unique in the database, so two simultaneous uploads can never
    share a number: the loser gets a clear Conflict.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidInput("An asset needs a title.")
    if version is not None and version < 1:
        raise InvalidInput("Versions start at 1.")
    project = session.get(Project, project_id)
    if project is None:
        raise InvalidInput("That project does not exist or is not available to you.")
    if version is None:
        # Serialise numbering per project: a transaction-scoped advisory lock on the project.
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(project_id)))))
        current = session.scalar(
            select(func.max(Asset.version)).where(Asset.project_id == project_id)
        )
        version = (current or 0) + 1
    asset = Asset(
        tenant_id=project.tenant_id,
        project_id=project_id,
        milestone_id=milestone_id,
        uploader_id=uploader_id,
        title=title,
        version=version,
    )
    return insert_row(session, asset)
