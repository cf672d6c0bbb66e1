"""The project page's deliverables section: each deliverable's latest state, and uploads.

Local backend: assets/tus_upload.js sends the chosen files to /api/tus/ (resumable, tus 1.0;
portal/api/tus.py checks the session, the permission, the name, size and content) and reports
through a hidden form (`tus_report`): uploads started or idle (the leave guard), a finished
version (the table refreshes; a single file opens its page), or a message to show.

Mux backend (MUX_* set): the browser sends the file straight to Mux. `start_direct` checks the
name and declared size, creates the version and Mux's single-use upload URL, and hands the URL
to assets/mux_upload.js in one rx.call_script (it is never kept in state); the script PUTs the
file in chunks and reports progress and its outcome through a hidden form (`direct_report`).
A cancelled or failed upload is discarded; after the last byte Mux's webhooks drive the status,
which the deliverables table follows live.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import aclosing

import reflex as rx

from portal import routes
from portal.services.core.errors import PortalError
from portal.services.core.permissions import Action, can
from portal.services.core.rows import get_project
from portal.services.media.mux_uploads import discard_mux_upload, start_mux_upload
from portal.services.media.views import DeliverableView, project_deliverables
from portal.settings import get_settings
from portal.state import live
from portal.state.actions import ROLES
from portal.state.session import SessionState, guard

UPLOAD_ID = "asset-upload"
# The deliverables table follows busy versions (uploading, processing) this often, this long.
POLL_SECONDS = 1.0
POLL_LIMIT = 3600
BUSY = ("uploading", "processing")
CANCELLED = "Upload cancelled."
DIRECT_DONE = "Uploaded. Mux is processing the video; its status updates here."


class UploadState(SessionState):
    """Deliverables of the project on the page, and the upload form's progress and outcome."""

    deliverables: list[DeliverableView] = []
    title: str = ""
    milestone_id: str = ""
    can_upload: bool = False
    uploading: bool = False
    progress: int = 0
    upload_error: str = ""
    upload_notice: str = ""
    # Uploads go from the browser straight to Mux (the Mux backend is configured).
    direct_upload: bool = False
    # The version the tab's direct upload creates (backend only: never sent to the browser).
    _direct_asset_id: str = ""

    def _project_id(self) -> str:
        return self.router.url.query_parameters.get("id", "")[:64]

    @rx.event
    @guard(roles=ROLES, message="upload_error")
    def load(self):  # type: ignore[no-untyped-def]
        """Mounted with the section: the project's deliverables as far as RLS shows them."""
        self.direct_upload = get_settings().mux_configured
        if not self._refresh():
            return None
        return self._follow()

    def _refresh(self) -> bool:
        """Re-read the table; False (and an empty table) when the project is not available."""
        try:
            user = self._require_user(ROLES)
            with self._db() as session:
                project = get_project(session=session, project_id=self._project_id())
                self.deliverables = project_deliverables(session=session, project_id=project.id)
        except PortalError:
            self.deliverables = []
            return False
        self.can_upload = can(user, Action.UPLOAD_ASSET)
        return True

    def _busy(self) -> bool:
        return any(d.status in BUSY for d in self.deliverables)

    def _follow(self):  # type: ignore[no-untyped-def]
        """Start following the table while a version is busy (one loop per tab and worker)."""
        if self._busy() and not live.running("deliverables", self.router.session.client_token):
            return UploadState.watch
        return None

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Follow busy versions: their status changes on the page without a reload."""
        async with self:
            client = self.router.session.client_token
        loop = live.ticks("deliverables", client, POLL_SECONDS, POLL_LIMIT)
        async with aclosing(loop) as ticks:
            async for _ in ticks:
                async with self:
                    if not self._refresh() or not self._busy():
                        return

    @rx.event
    def set_title(self, value: str) -> None:
        """The deliverable title (an existing title uploads its next version)."""
        self.title = value[:300]

    @rx.event
    def set_milestone(self, value: str) -> None:
        """The milestone the upload belongs to ("" for none; the server checks it)."""
        self.milestone_id = value[:64]

    @rx.event
    def tus_report(self, form: dict):  # type: ignore[no-untyped-def]
        """What assets/tus_upload.js reports: started | idle (uploads running or not), done
        (a version's id; "|go" opens it: the upload was a single file) or failed (a message)."""
        kind, value = str(form.get("kind", "")), str(form.get("value", ""))[:300]
        if kind in ("started", "idle"):
            self.uploading = kind == "started"
            if self.uploading:
                self.upload_error = self.upload_notice = ""
            return None
        if kind == "failed":
            self.upload_error = value
            return None
        if kind != "done":
            return None
        asset_id, _, go = value.partition("|")
        self._refresh()
        if go:
            self.title, self.progress = "", 100
            return rx.redirect(routes.asset_url(asset_id[:64]))
        return self._follow()

    @rx.event
    @guard(roles=ROLES, action=Action.UPLOAD_ASSET, message="upload_error")
    async def start_direct(self, chosen: dict | None):  # type: ignore[no-untyped-def]
        """The browser's chosen file ({name, size}, from assets/mux_upload.js): checked, then
        the version and Mux's upload URL are created (off the event loop: Mux may take its
        time) and the URL goes to the script only, never into state."""
        self.upload_error = self.upload_notice = ""
        if self.uploading:
            return None
        if not isinstance(chosen, dict) or not chosen.get("name"):
            self.upload_error = "Choose a video file to upload."
            return None
        upload = await asyncio.to_thread(
            start_mux_upload,
            ctx=self._require_user().context,
            project_id=self._project_id(),
            title=self.title,
            filename=str(chosen.get("name"))[:1000],
            size=chosen.get("size"),
            cors_origin=get_settings().portal_url.rstrip("/"),
            milestone_id=self.milestone_id or None,
        )
        self._direct_asset_id = upload.asset_id
        self.uploading, self.progress = True, 0
        self._refresh()
        chunk = get_settings().mux_upload_chunk_bytes
        return rx.call_script(
            f"window.portalMuxUpload.send({json.dumps(upload.upload_url)}, {chunk})"
        )

    @rx.event
    @guard(roles=ROLES, message="upload_error")
    def direct_report(self, form: dict):  # type: ignore[no-untyped-def]
        """What assets/mux_upload.js reports: progress, done, failed (with why) or cancelled."""
        kind, value = str(form.get("kind", "")), str(form.get("value", ""))[:300]
        asset_id = self._direct_asset_id
        if not asset_id:
            return None
        if kind == "progress":
            self.progress = max(0, min(100, int(float(value or 0)))) if _number(value) else 0
            return None
        self._direct_asset_id, self.uploading = "", False
        if kind == "done":
            self.title, self.progress, self.upload_notice = "", 100, DIRECT_DONE
            self._refresh()
            return self._follow()
        reason = CANCELLED if kind == "cancelled" else f"The upload to Mux failed: {value}"
        try:
            discard_mux_upload(ctx=self._require_user().context, asset_id=asset_id, reason=reason)
        finally:
            self.upload_error, self.progress = reason, 0
            self._refresh()
        return None


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
