"""The owner's side of share links: the Share panel on the asset page and the list on the
project page (create, revoke, extend, change passcode, analytics)."""

from __future__ import annotations

import reflex as rx

from portal.services.core.errors import InvalidInput
from portal.services.core.permissions import Action, can
from portal.services.sharing.decisions import ClientDecisionView, client_decisions
from portal.services.sharing.links import (
    ShareLinkSummary,
    change_passcode,
    create_share_link,
    extend_share_link,
    links_for_asset,
    links_for_project,
    revoke_share_link,
    set_link_options,
    share_analytics,
)
from portal.state.actions import ROLES
from portal.state.session import SessionState, guard

TRUE = ("on", "true", "1", "yes")


def _flag(form: dict, name: str) -> bool:
    value = form.get(name)
    return value is True or (isinstance(value, str) and value.lower() in TRUE)


class ShareLinksState(SessionState):
    """Links to one version (asset page) or to any version of a project (project page)."""

    # Exactly one of these is set: whose links the panel lists.
    asset_id: str = ""
    project_id: str = ""
    links: list[ShareLinkSummary] = []
    # Client decisions on this version through its links (asset page only), newest first.
    decisions: list[ClientDecisionView] = []
    can_share: bool = False
    # The URL of a link just created: shown once with a copy button, then forgotten.
    new_url: str = ""
    # The asset page's Share panel is open (it starts closed: the page is for reviewing).
    panel_open: bool = False
    error: str = ""
    notice: str = ""
    # Analytics of one link ("" when none is open).
    stats_link_id: str = ""
    stats_name: str = ""
    stats_views: int = 0
    stats_unique: int = 0
    stats_last_viewed: str = ""
    stats_comments: int = 0
    stats_by_day: list[dict] = []

    @rx.event
    @guard(roles=ROLES, clear=("links", "decisions", "can_share"))
    def load_asset(self) -> None:
        """on_load of the asset page: the links to the version named by ?id=."""
        self.asset_id = self.router.url.query_parameters.get("id", "")[:64]
        self.project_id = ""
        self._start()

    @rx.event
    @guard(roles=ROLES, clear=("links", "decisions", "can_share"))
    def load_project(self) -> None:
        """on_load of the project page: the links to any version of the project ?id=."""
        self.project_id = self.router.url.query_parameters.get("id", "")[:64]
        self.asset_id = ""
        self._start()

    def _start(self) -> None:
        self.new_url = self.notice = self.stats_link_id = ""
        self.panel_open = False
        self._refresh()

    @rx.event
    def toggle_panel(self) -> None:
        """Open or close the asset page's Share panel."""
        self.panel_open = not self.panel_open

    def _refresh(self) -> None:
        with self._db() as session:
            if self.asset_id:
                self.links = links_for_asset(session=session, asset_id=self.asset_id)
                self.decisions = client_decisions(session=session, asset_id=self.asset_id)
            else:
                self.links = links_for_project(session=session, project_id=self.project_id)
                self.decisions = []
        self.can_share = can(self._require_user(), Action.SHARE)

    def _done(self, notice: str) -> None:
        self._refresh()
        self.notice = notice
        if self.stats_link_id:
            self._load_stats(self.stats_link_id)

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def create(self, form: dict) -> None:
        """A new link to this version; its URL is shown once."""
        self.new_url = self.notice = ""
        if not self.asset_id:
            raise InvalidInput("Open a version.")
        with self._db() as session:
            link = create_share_link(
                session=session,
                asset_id=self.asset_id,
                created_by=self._require_user().user_id,
                name=str(form.get("name", ""))[:1000],
                expires_in_days=str(form.get("days", ""))[:20],
                passcode=str(form.get("passcode", ""))[:1000],
                view_limit=str(form.get("view_limit", ""))[:20],
                allow_comments=_flag(form, "allow_comments"),
                allow_download=_flag(form, "allow_download"),
                watermark=_flag(form, "watermark"),
                ask_decision=_flag(form, "ask_decision"),
                follow_latest=_flag(form, "follow_latest"),
                notify_new_versions=_flag(form, "notify_new_versions"),
            )
        # The new link's box says all there is to say ("Copy this link now…"): no second notice.
        self._done("")
        self.new_url = link.url

    @rx.event
    def dismiss_url(self) -> None:
        """Forget the new link's URL (it cannot be shown again)."""
        self.new_url = ""

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def revoke(self, link_id: str) -> None:
        """Switch a link off at once."""
        self.notice = ""
        with self._db() as session:
            revoke_share_link(session=session, link_id=str(link_id)[:64])
        self._done("Link revoked.")

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def extend(self, form: dict) -> None:
        """Push a link's expiry further by the days given."""
        self.notice = ""
        with self._db() as session:
            extend_share_link(
                session=session,
                link_id=str(form.get("link_id", ""))[:64],
                days=str(form.get("days", ""))[:20],
            )
        self._done("Expiry extended.")

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def set_passcode(self, form: dict) -> None:
        """Set a new passcode on a link (empty removes it)."""
        self.notice = ""
        with self._db() as session:
            change_passcode(
                session=session,
                link_id=str(form.get("link_id", ""))[:64],
                passcode=str(form.get("passcode", ""))[:1000],
            )
        self._done("Passcode changed.")

    @rx.event
    @guard(roles=ROLES, action=Action.SHARE)
    def set_options(self, form: dict) -> None:
        """Change what a link allows (comments, download) and its watermark."""
        self.notice = ""
        with self._db() as session:
            set_link_options(
                session=session,
                link_id=str(form.get("link_id", ""))[:64],
                allow_comments=_flag(form, "allow_comments"),
                allow_download=_flag(form, "allow_download"),
                watermark=_flag(form, "watermark"),
                ask_decision=_flag(form, "ask_decision"),
                follow_latest=_flag(form, "follow_latest"),
                notify_new_versions=_flag(form, "notify_new_versions"),
            )
        self._done("Link options saved.")

    @rx.event
    @guard(roles=ROLES, clear=("stats_link_id",))
    def show_stats(self, link_id: str) -> None:
        """Open (or close) one link's analytics."""
        if self.stats_link_id == link_id:
            self.stats_link_id = ""
            return
        self._load_stats(str(link_id)[:64])

    def _load_stats(self, link_id: str) -> None:
        with self._db() as session:
            stats = share_analytics(session=session, link_id=link_id)
        self.stats_link_id, self.stats_name = stats.link_id, stats.name
        self.stats_views, self.stats_unique = stats.views, stats.unique_viewers
        self.stats_last_viewed, self.stats_comments = stats.last_viewed, stats.comments
        self.stats_by_day = stats.by_day
