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
from functools import partial

import reflex as rx

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.services.core.errors import NotSignedIn, PortalError
from portal.services.core.permissions import Action, can
from portal.services.core.rows import get_project
from portal.services.media.mux_uploads import discard_mux_upload, start_mux_upload
from portal.services.media.views import DeliverableView, project_deliverables
from portal.settings import get_settings
from portal.state import live
from portal.state.actions import ROLES
from portal.state.session import SessionState, guard

UPLOAD_ID = "asset-upload"
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
            rows = _deliverables(user.context, self._project_id())
        except PortalError:
            self._assign("deliverables", [])
            return False
        self._assign("deliverables", rows)
        self._assign("can_upload", can(user, Action.UPLOAD_ASSET))
        return True

    def _follow(self):  # type: ignore[no-untyped-def]
        """Follow the table live (one loop per tab, project and worker)."""
        kind = f"deliverables:{self._project_id()}"
        if not live.running(kind, self.router.session.client_token):
            return UploadState.watch
        return None

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Follow the deliverables: a version's status, a new version or deliverable (another
        tab's upload, Mux's webhooks, processing) show without a reload. Pushed (LISTEN/NOTIFY):
        no database work until a version of this project changed."""
        async with self:
            client, project_id = self.router.session.client_token, self._project_id()
        keys = {f"project:{project_id}"}
        async with aclosing(live.changes(f"deliverables:{project_id}", client, keys)) as changes:
            async for fired in changes:
                if fired and await self._reread(project_id) is not True:
                    return

    @guard(
        roles=ROLES,
        message="upload_error",
        clear=("deliverables",),
        keep_message=True,
        shared_check=True,
    )
    async def _reread(self, project_id: str) -> bool:
        """Re-read the table outside the state lock (the session checked afresh by `guard`);
        False once the tab no longer shows this project."""
        woken_at = live.LISTENER.sequence
        async with self:
            if self._project_id() != project_id or not live.on_page(
                self.router.url.path, routes.PROJECT
            ):
                return False
            token = self._session_token()
        ctx = self._require_user().context
        rows = await live.read_once(
            ("deliverables", ctx, project_id), woken_at, partial(_deliverables, ctx, project_id)
        )
        async with self:
            if self._session_token() != token:
                raise NotSignedIn()
            if self._project_id() != project_id:
                return False
            self._assign("deliverables", list(rows))  # a shared read: never the same list
        return True

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


def _deliverables(ctx: TenantContext, project_id: str) -> list[DeliverableView]:
    with tenant_session(ctx) as session:
        project = get_project(session=session, project_id=project_id)
        return project_deliverables(session=session, project_id=project.id)


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
