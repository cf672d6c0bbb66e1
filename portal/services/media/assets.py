"""Asset versions: numbering, accepting a stored upload, and removing what a failure leaves."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlmodel import Session

from portal.db import TenantContext, tenant_session
from portal.integrations.job_queue import defer_job
from portal.models import Asset, Project
from portal.services.core.errors import Conflict, InvalidInput, NotFound
from portal.services.core.rows import get_milestone, insert_row
from portal.services.core.validation import MAX_TITLE, clean_text, parse_uuid
from portal.services.media.storage import StoredUpload, place_upload, remove_asset_files

MEDIA_QUEUE = "media"
PROCESS_ASSET_TASK = "process_asset"


def create_asset_version(
    *,
    session: Session,
    project_id: UUID,
    title: str,
    uploader_id: UUID | None = None,
    milestone_id: UUID | None = None,
    version: int | None = None,
    **columns: object,
) -> Asset:
    """Record a new asset version; the next free number unless `version` is given.

    Versions of one deliverable share its title (compared trimmed, case-insensitively); the
    number is the project's upload number. (project_id, version) is unique in the database,
    so two simultaneous uploads can never share a number: the loser gets a clear Conflict.
    """
    title = clean_text(title, label="The deliverable title", max_length=MAX_TITLE)
    if version is not None and version < 1:
        raise InvalidInput("Versions start at 1.")
    project = session.get(Project, parse_uuid(project_id))
    if project is None:
        raise InvalidInput("That project does not exist or is not available to you.")
    if milestone_id:
        milestone = get_milestone(session=session, milestone_id=milestone_id)
        if milestone.project_id != project.id:
            raise InvalidInput("That milestone belongs to another project.")
        milestone_id = milestone.id
    if version is None:
        # Serialise numbering per project: a transaction-scoped advisory lock on the project.
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(project.id)))))
        current = session.scalar(
            select(func.max(Asset.version)).where(Asset.project_id == project.id)
        )
        version = (current or 0) + 1
    asset = Asset(
        tenant_id=project.tenant_id,
        project_id=project.id,
        milestone_id=milestone_id or None,
        uploader_id=uploader_id,
        title=title,
        version=version,
        **columns,
    )
    return insert_row(session, asset)


def same_file(session: Session, project_id: UUID, checksum: str) -> Asset | None:
    """A live asset of the project with exactly these bytes."""
    return session.scalars(
        select(Asset).where(
            Asset.project_id == project_id,
            Asset.storage_checksum == checksum,
            Asset.status != "deleted",
        )
    ).first()


def accept_upload(
    *,
    ctx: TenantContext,
    project_id: UUID | str,
    title: str,
    stored: StoredUpload,
    milestone_id: UUID | str | None = None,
) -> Asset:
    """Turn an upload on disk into the next version and queue its processing.

    One transaction: the row, the file moved into the asset's folder and the job exist
    together or not at all (a failure removes the file; the caller's incoming file is gone
    either way).
    """
    placed: tuple[UUID, UUID] | None = None
    try:
        with tenant_session(ctx) as session:
            project_uuid = parse_uuid(project_id)
            session.execute(select(func.pg_advisory_xact_lock(func.hashtext(str(project_uuid)))))
            duplicate = same_file(session, project_uuid, stored.sha256)
            if duplicate is not None:
                raise Conflict(f"This exact file was already uploaded as “{duplicate.title}”.")
            asset = create_asset_version(
                session=session,
                project_id=project_uuid,
                title=title,
                uploader_id=ctx.user_id,
                milestone_id=parse_uuid(milestone_id, required=False),
                status="processing",
                storage_checksum=stored.sha256,
                original_filename=stored.filename,
                size_bytes=stored.size,
            )
            place_upload(stored, tenant_id=asset.tenant_id, asset_id=asset.id)
            placed = (asset.tenant_id, asset.id)
            queue_processing(session, asset)
    except BaseException:
        stored.path.unlink(missing_ok=True)
        if placed:
            remove_asset_files(*placed)
        raise
    return asset


def queue_processing(session: Session, asset: Asset) -> None:
    """Defer the processing job in this transaction (it runs only if the row commits)."""
    defer_job(
        session,
        task=PROCESS_ASSET_TASK,
        queue=MEDIA_QUEUE,
        args={"asset_id": str(asset.id), "tenant_id": str(asset.tenant_id)},
        queueing_lock=f"asset:{asset.id}",
    )


def get_asset(*, session: Session, asset_id: UUID | str, for_update: bool = False) -> Asset:
    """An asset in scope (not deleted), or NotFound."""
    asset = session.get(Asset, parse_uuid(asset_id), with_for_update=for_update)
    if asset is None or asset.status == "deleted":
        raise NotFound("That asset does not exist or is not available to you.")
    return asset
