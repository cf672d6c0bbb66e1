"""Upload requests: the project page's list (create, revoke) and Client files; and the client
page `/r/<token>` (no sign-in: the token from the URL, looked up again by every handler)."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.integrations.proxy import client_address
from portal.services.core.errors import LinkUnavailable, PortalError
from portal.services.core.permissions import Action, can
from portal.services.sharing.client_files import ClientFileRow, list_client_files
from portal.services.sharing.upload_requests import (
    KINDS,
    UploadRequestRow,
    client_page,
    create_upload_request,
    list_upload_requests,
    open_request,
    revoke_upload_request,
)
from portal.state.actions import ROLES
from portal.state.session import SessionState, guard

# What the section shows: emptied when the project cannot be shown.
SHOWN = ("requests", "files", "can_request", "has_requests", "has_files")


def _checked(form: dict, name: str) -> bool:
    value = form.get(name)
    return value is True or (isinstance(value, str) and value.lower() in ("on", "true", "1"))


class UploadRequestsState(SessionState):
    """A project's upload requests and the files clients sent through them."""

    project_id: str = ""
    requests: list[UploadRequestRow] = []
    files: list[ClientFileRow] = []
    can_request: bool = False
    has_requests: bool = False
    has_files: bool = False
    # The URL of a request just created: shown once, then forgotten.
    new_url: str = ""
    error: str = ""
    notice: str = ""

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def load_project(self) -> None:
        self.project_id = self.router.url.query_parameters.get("id", "")[:64]
        self.new_url = self.notice = ""
        self._refresh()

    def _refresh(self) -> None:
        with self._db() as session:
            self.requests = list_upload_requests(session=session, project_id=self.project_id)
            self.files = list_client_files(session=session, project_id=self.project_id)
        self.can_request = can(self._require_user(), Action.SHARE)
        self.has_requests, self.has_files = bool(self.requests), bool(self.files)

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def create(self, form: dict) -> None:
        """A new upload request for this project; its URL is shown once."""
        self.new_url = self.notice = ""
        with self._db() as session:
            made = create_upload_request(
                session=session,
                project_id=self.project_id,
                created_by=self._require_user().user_id,
                name=str(form.get("name", ""))[:1000],
                message=str(form.get("message", ""))[:5000],
                kinds=[kind for kind in KINDS if _checked(form, f"kind_{kind}")],
                expires_in_days=str(form.get("days", ""))[:20],
                passcode=str(form.get("passcode", ""))[:1000],
                max_file_mb=str(form.get("max_mb", ""))[:20],
                max_files=str(form.get("max_files", ""))[:20],
            )
        self._refresh()
        self.new_url = made.url

    @rx.event
    def dismiss_url(self) -> None:
        self.new_url = ""

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def revoke(self, request_id: str) -> None:
        self.notice = ""
        with self._db() as session:
            revoke_upload_request(session=session, request_id=str(request_id)[:64])
        self._refresh()
        self.notice = "Upload link revoked."

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def refresh(self) -> None:
        self._refresh()


class RequestPageState(rx.State):
    """The client page of an upload request. Holds no token: handlers re-read it from the URL.
    After the client gives a name and email (and the passcode), `grant` is the signed upload
    grant the page's script sends with each tus request (it is meant for this browser)."""

    loaded: bool = False
    available: bool = False
    brand_name: str = ""
    logo: str = ""
    accent: str = "#e4572e"
    name: str = ""
    message: str = ""
    kinds: str = ""
    limits: str = ""
    needs_passcode: bool = False
    grant: str = ""
    sender: str = ""
    error: str = ""

    def _token(self) -> str:
        path = self.router.url.path or ""
        prefix = routes.UPLOAD_REQUEST + "/"
        return path[len(prefix) :].strip("/") if path.startswith(prefix) else ""

    @rx.event
    def load(self) -> None:
        self.loaded, self.grant, self.error, self.sender = True, "", "", ""
        try:
            page = client_page(token=self._token())
        except LinkUnavailable:
            self.available = False
            return
        self.available = True
        self.brand_name, self.logo, self.accent = page.brand_name, page.logo, page.accent
        self.name, self.message, self.kinds = page.name, page.message, page.kinds
        size = page.max_file_bytes / 1024**2
        self.limits = f"Up to {page.max_files} files, each at most {size:,.0f} MB."
        self.needs_passcode = page.passcode_required

    @rx.event
    def start(self, form: dict) -> None:
        """The client's name and email (and the passcode): a grant to upload."""
        forwarded = (self.router.headers.raw_headers or {}).get("x-forwarded-for")
        ip = client_address(self.router.session.client_ip or None, forwarded)
        try:
            opened = open_request(
                token=self._token(),
                name=str(form.get("name", ""))[:500],
                email=str(form.get("email", ""))[:500],
                passcode=str(form.get("passcode", ""))[:1000] or None,
                ip=ip,
            )
        except LinkUnavailable:
            self.available, self.grant = False, ""
            return
        except PortalError as exc:
            self.error = exc.user_message
            return
        self.error, self.grant = "", opened.grant
        self.sender = str(form.get("name", ""))[:100].strip()
