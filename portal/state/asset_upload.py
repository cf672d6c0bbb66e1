"""The project page's deliverables section: each deliverable's latest state, and uploads.

The file streams in chunks (rx.upload_files_chunk → a background handler) straight into the
media folder; size, name and content are checked on the server as the bytes arrive, and a
failed or cancelled upload leaves no file and no row.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from portal import routes
from portal.db import tenant_session
from portal.services.asset_views import DeliverableView, project_deliverables
from portal.services.assets import accept_upload
from portal.services.errors import InvalidInput, PortalError
from portal.services.lookup import get_project
from portal.services.media_storage import UploadWriter
from portal.services.permissions import Action, can, require
from portal.state.actions import ROLES
from portal.state.session import SessionState

UPLOAD_ID = "asset-upload"
# Chunks are gathered up to this size before hashing and writing off the event loop.
WRITE_BATCH = 1024 * 1024


class UploadState(SessionState):
    """Deliverables of the project on the page, and the upload form's progress and outcome."""

    deliverables: list[DeliverableView] = []
    title: str = ""
    milestone_id: str = ""
    can_upload: bool = False
    uploading: bool = False
    progress: int = 0
    upload_error: str = ""

    def _project_id(self) -> str:
        return self.router.url.query_parameters.get("id", "")[:64]

    @rx.event
    def load(self) -> None:
        """Mounted with the section: the project's deliverables as far as RLS shows them."""
        try:
            user = self._require_user(ROLES)
            with tenant_session(user.context) as session:
                project = get_project(session=session, project_id=self._project_id())
                self.deliverables = project_deliverables(session=session, project_id=project.id)
        except PortalError:
            self.deliverables = []
            return
        self.can_upload = can(user, Action.UPLOAD_ASSET)

    @rx.event
    def set_title(self, value: str) -> None:
        """The deliverable title (an existing title uploads its next version)."""
        self.title = value[:300]

    @rx.event
    def set_milestone(self, value: str) -> None:
        """The milestone the upload belongs to ("" for none; the server checks it)."""
        self.milestone_id = value[:64]

    @rx.event
    def on_progress(self, progress: dict) -> None:
        """Upload progress reported by the browser, as a percentage for the bar."""
        self.progress = int(float(progress.get("progress", 0)) * 100)

    @rx.event(background=True)
    async def receive(self, chunks: rx.UploadChunkIterator):  # type: ignore[no-untyped-def]
        """Stream the chosen file to disk, then record it as the next version."""
        async with self:
            try:
                user = self._require_user(ROLES)
                require(user, Action.UPLOAD_ASSET)
            except PortalError as exc:
                self.upload_error = exc.user_message
                return
            project_id, title, milestone_id = self._project_id(), self.title, self.milestone_id
            self.uploading, self.upload_error, self.progress = True, "", 0
        try:
            stored = await _store(chunks)
            asset = await asyncio.to_thread(
                accept_upload,
                ctx=user.context,
                project_id=project_id,
                title=title,
                stored=stored,
                milestone_id=milestone_id or None,
            )
        except PortalError as exc:
            async with self:
                self.uploading, self.upload_error = False, exc.user_message
            return
        finally:
            async with self:
                self.uploading = False
        async with self:
            self.title, self.progress = "", 100
        yield rx.redirect(routes.asset_url(str(asset.id)))


async def _store(chunks: rx.UploadChunkIterator):  # type: ignore[no-untyped-def]
    """Write one file's chunks through UploadWriter; anything else (a second file, a cancel,
    a limit) removes what was written."""
    writer: UploadWriter | None = None
    batch = bytearray()
    try:
        async for chunk in chunks:
            if writer is None:
                writer = UploadWriter(chunk.filename)
            elif chunk.filename != writer.filename:
                raise InvalidInput("Upload one file at a time.")
            batch += chunk.data
            if len(batch) >= WRITE_BATCH:
                full, batch = batch, bytearray()
                await asyncio.to_thread(writer.write, full)
        if writer is None:
            raise InvalidInput("Choose a video file to upload.")
        if batch:
            await asyncio.to_thread(writer.write, batch)
        return writer.finish()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
