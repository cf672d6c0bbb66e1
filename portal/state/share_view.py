"""The client review page of a share link (`/s/<token>`): no sign-in, the token is the key.

Nothing here holds the token or its hash: every handler re-reads the token from the page URL,
looks the link up again (a revoked or expired link stops everything at once) and acts only on
the version that link grants. The link this tab opened (passcode passed, view counted) and the
guest's email stay in backend-only vars. Handlers take no ids: there is nothing to point
elsewhere.
"""

from __future__ import annotations

import uuid

import reflex as rx

from portal import routes
from portal.integrations.proxy import client_address
from portal.services.core.errors import LinkUnavailable, NoWatermarkedDownload, PortalError
from portal.services.core.validation import CONTROL
from portal.services.media.annotations import drawing_marks_json
from portal.services.sharing import access
from portal.services.sharing.access import LinkInfo, OpenedLink
from portal.services.sharing.decisions import asks_decision, my_decision, record_decision
from portal.services.sharing.download import link_download
from portal.services.sharing.grants import make_grant
from portal.services.sharing.guests import (
    GuestCommentView,
    add_guest_comment,
    guest_comments,
    guest_drawings,
)
from portal.services.sharing.watermark import link_name, overlay_text
from portal.settings import get_settings

UNAVAILABLE = LinkUnavailable.user_message


class ShareViewState(rx.State):
    """What the client page shows; filled by `load` and the passcode form."""

    loaded: bool = False
    available: bool = False
    needs_passcode: bool = False
    passcode_error: str = ""
    # The owner's branding: tenant name, logo URL, accent colour.
    brand_name: str = ""
    logo: str = ""
    accent: str = "#e4572e"
    title: str = ""
    label: str = ""
    frame_rate: float = 25.0
    # Playback URLs carry a short-lived grant (never the token).
    src: str = ""
    poster: str = ""
    download_url: str = ""
    allow_comments: bool = False
    comments: list[GuestCommentView] = []
    # The granted version's id (already inside every media URL's grant): the comment form
    # says which version a drawing was made on, and the service refuses any other.
    version_id: str = ""
    # Drawings left through this link, as JSON for the player's annotation layer.
    drawings: str = "[]"
    # Bumped after a comment with a drawing is saved: annotate.js then clears the draft.
    drawings_saved: int = 0
    # The deterrent overlay: on when the link is watermarked; its text names the viewer.
    watermark: bool = False
    watermark_text: str = ""
    # The name or email given at the passcode step (the overlay says "Guest" without one).
    viewer: str = ""
    # A watermarked download still being made (the button says so).
    download_preparing: bool = False
    # Why an allowed download is not offered (a watermarked link to a Mux-hosted version).
    download_note: str = ""
    # A fresh playback grant for the renewal cookie, and the media path it is scoped to.
    renewal: str = ""
    renewal_path: str = ""
    renew_every_ms: int = 600_000
    # The guest's name once given ("" until the first comment).
    guest_name: str = ""
    comment_error: str = ""
    notice: str = ""
    # The link asks the client for a decision (Approve / Request changes).
    ask_decision: bool = False
    # This page's key for the next press: a double click sends it twice, one row is written.
    decision_key: str = ""
    # The client's latest decision on this version ("Approved by …"), its note and time.
    my_decision: str = ""
    my_decision_note: str = ""
    my_decision_when: str = ""
    decision_error: str = ""
    decision_notice: str = ""
    # Backend only: the link this tab opened, the guest's email, the button just pressed.
    _link_id: str = ""
    _link_name: str = ""
    _guest_email: str = ""
    _choice: str = ""

    def _token(self) -> str:
        """The token from the page URL (/s/<token>); '' for anything else."""
        path = self.router.url.path or ""
        prefix = routes.SHARE + "/"
        return path[len(prefix) :].strip("/") if path.startswith(prefix) else ""

    def _client(self) -> tuple[str | None, str]:
        """The viewer's address and browser, for throttling and the unique-viewer hash."""
        forwarded = (self.router.headers.raw_headers or {}).get("x-forwarded-for")
        ip = client_address(self.router.session.client_ip or None, forwarded)
        return ip, self.router.headers.user_agent or ""

    def _reset(self) -> None:
        self.loaded, self.available, self.needs_passcode = True, False, False
        self.passcode_error = self.comment_error = self.notice = ""
        self.src = self.poster = self.download_url = self.version_id = ""
        self.allow_comments, self.comments, self.drawings = False, [], "[]"
        self.watermark, self.watermark_text, self.download_preparing = False, "", False
        self.download_note = self.renewal = self.renewal_path = ""
        self._link_id, self._link_name = "", ""
        self.ask_decision, self.decision_error, self.decision_notice = False, "", ""
        self.my_decision = self.my_decision_note = self.my_decision_when = ""

    def _live_link(self) -> LinkInfo | None:
        """The link of this URL, only if this tab opened it and it is still usable."""
        info = access.lookup(self._token())
        if info is None or not info.usable or str(info.link_id) != self._link_id:
            return None
        return info

    def _unavailable(self) -> None:
        self._reset()
        self.title = self.label = ""

    def _brand(self, info: LinkInfo) -> None:
        view = access.client_asset(tenant_id=info.tenant_id, asset_id=info.asset_id)
        self.brand_name, self.logo, self.accent = view.brand_name, view.logo, view.accent
        self.title, self.label, self.frame_rate = view.title, view.label, view.frame_rate

    def _opened(self, opened: OpenedLink, info: LinkInfo) -> None:
        self._link_id = str(opened.link_id)
        self.available, self.needs_passcode, self.passcode_error = True, False, ""
        self.src = opened.media("hls/master.m3u8")
        self.poster = opened.media("poster.jpg")
        self.allow_comments = opened.allow_comments
        self.version_id = str(opened.asset_id)
        self.renewal_path = opened.media("").rstrip("/")
        ttl = get_settings().share_playback_ttl_seconds
        self.renew_every_ms = max(20, min(ttl // 3, 600)) * 1000
        self.watermark = info.watermark
        if info.watermark:
            self._link_name = link_name(tenant_id=info.tenant_id, link_id=info.link_id)
            self._set_watermark_text()
        self._download(opened, info)
        self._load_comments(info)
        self.ask_decision = asks_decision(info=info)
        self.decision_key = str(uuid.uuid4())
        self._load_decision(info)

    def _load_decision(self, info: LinkInfo) -> None:
        mine = my_decision(info=info, email=self._guest_email) if self.ask_decision else None
        self.my_decision = mine.summary if mine else ""
        self.my_decision_note = mine.note if mine else ""
        self.my_decision_when = mine.when if mine else ""

    def _set_watermark_text(self) -> None:
        self.watermark_text = overlay_text(
            viewer=self.guest_name or self.viewer, link_name=self._link_name
        )

    def _download(self, opened: OpenedLink, info: LinkInfo) -> None:
        """The download link; a watermarked link's copy may still be in the making, or not
        possible at all (Mux-hosted media)."""
        self.download_url, self.download_preparing, self.download_note = "", False, ""
        if not opened.allow_download:
            return
        download = link_download(tenant_id=info.tenant_id, link_id=info.link_id)
        if download.kind == "refused":
            self.download_note = NoWatermarkedDownload.user_message
        self.download_preparing = download.kind == "preparing"
        if download.offered:
            self.download_url = opened.media("download")

    def _load_comments(self, info: LinkInfo) -> None:
        if not info.allow_comments:
            self.comments, self.drawings = [], "[]"
            return
        self.comments = guest_comments(info=info)
        self.drawings = drawing_marks_json(guest_drawings(info=info))

    @rx.event
    def load(self) -> None:
        """on_load: an opening of the page; counts a view unless a passcode is needed first."""
        self._reset()
        info = access.lookup(self._token())
        if info is None or info.status != "active":
            return self._unavailable()
        self._brand(info)
        self.watermark = info.watermark
        if info.passcode_required:
            self.available = self.needs_passcode = True
            return None
        return self._open(None)

    def _open(self, passcode: str | None) -> None:
        ip, agent = self._client()
        try:
            opened = access.open_link(
                token=self._token(), passcode=passcode, ip=ip, user_agent=agent
            )
        except LinkUnavailable:
            return self._unavailable()
        except PortalError as exc:
            self.passcode_error = exc.user_message
            return None
        info = access.lookup(self._token())
        if info is None:
            return self._unavailable()
        self._opened(opened, info)
        return None

    @rx.event
    def submit_passcode(self, form: dict) -> None:
        """The passcode form: throttled, checked, then one view is counted."""
        form = form if isinstance(form, dict) else {}
        passcode = form.get("passcode")
        if not isinstance(passcode, str) or not passcode:
            self.passcode_error = "Enter the passcode."
            return
        viewer = form.get("viewer")
        viewer = CONTROL.sub(" ", viewer) if isinstance(viewer, str) else ""
        self.viewer = " ".join(viewer.split())[:120]
        self._open(passcode)

    @rx.event
    def renew(self) -> None:
        """Every few minutes while the page is open: a fresh playback grant for the renewal
        cookie while the link is live; a revoked or expired link stops the page instead."""
        info = self._live_link()
        if info is None:
            self._unavailable()
            return
        if str(info.asset_id) != self.version_id:
            self._follow(info)  # an "always latest" link moved to a newer version
            return
        self.renewal = make_grant(
            link_id=info.link_id, tenant_id=info.tenant_id, asset_id=info.asset_id
        )
        if (
            self.download_preparing
            and link_download(tenant_id=info.tenant_id, link_id=info.link_id).offered
        ):
            self.download_preparing = False
            self.download_url = self.renewal_path + "/download"

    def _follow(self, info: LinkInfo) -> None:
        """Switch the open page to the version the link grants now (no view counted: the page
        was opened already); media of the old version is no longer served through the link."""
        grant = make_grant(link_id=info.link_id, tenant_id=info.tenant_id, asset_id=info.asset_id)
        opened = OpenedLink(
            info.link_id,
            info.tenant_id,
            info.asset_id,
            0,
            info.allow_comments,
            info.allow_download,
            grant,
        )
        self._brand(info)
        self.src = opened.media("hls/master.m3u8")
        self.poster = opened.media("poster.jpg")
        self.version_id = str(info.asset_id)
        self.renewal_path = opened.media("").rstrip("/")
        self.renewal = grant
        self._download(opened, info)
        self._load_comments(info)
        self._load_decision(info)
        self.notice = f"A new version is here: {self.label}."

    @rx.event
    def post_comment(self, form: dict) -> None:
        """A guest comment at the player's time, on this link's version only."""
        info = self._live_link()
        if info is None:
            self._unavailable()
            self.comment_error = UNAVAILABLE
            return
        form = form if isinstance(form, dict) else {}
        name = str(form.get("name") or self.guest_name)
        email = str(form.get("email") or self._guest_email)
        drawing = form.get("annotation") or None
        version = form.get("version")
        try:
            add_guest_comment(
                info=info,
                name=name,
                email=email,
                body=str(form.get("body", "")),
                timecode=str(form.get("timecode", "") or "0")[:32],
                annotation=drawing,
                asset_id=str(version)[:64] if version else None,
            )
        except PortalError as exc:
            # The last comment's thanks go: only the problem with this one shows.
            self.comment_error, self.notice = exc.user_message, ""
            return
        self.guest_name, self._guest_email = name.strip(), email.strip()
        self.comment_error, self.notice = "", "Thank you: your comment was sent."
        if drawing:
            self.drawings_saved += 1
        if self.watermark:
            self._set_watermark_text()
        self._load_comments(info)

    @rx.event
    def choose(self, decision: str):  # type: ignore[no-untyped-def]
        """The button pressed (its click comes just before the form's submit)."""
        self._choice = str(decision)[:32]

    @rx.event
    def decide(self, form: dict) -> None:
        """Approve or Request changes on this link's version, with a note; a refused link turns
        the page unavailable. The form's key makes a double click one decision."""
        info = access.lookup(self._token())
        if info is None or info.status != "active" or str(info.link_id) != self._link_id:
            self._unavailable()
            return
        form = form if isinstance(form, dict) else {}
        name = str(form.get("name") or self.guest_name)
        email = str(form.get("email") or self._guest_email)
        choice, self._choice = self._choice, ""
        ip, _agent = self._client()
        try:
            record_decision(
                info=info,
                name=name,
                email=email,
                decision=choice,
                note=str(form.get("note", ""))[:4000],
                request_key=str(form.get("key") or self.decision_key)[:64],
                ip=ip,
            )
        except LinkUnavailable:
            self._unavailable()
            return
        except PortalError as exc:
            self.decision_error, self.decision_notice = exc.user_message, ""
            return
        self.guest_name, self._guest_email = name.strip(), email.strip()
        self.decision_key = str(uuid.uuid4())
        self.decision_error = ""
        self.decision_notice = "Thank you: your decision was sent."
        if self.watermark:
            self._set_watermark_text()
        self._load_decision(info)
