"""Compare page state: two versions of one deliverable, side by side or as a wipe."""

from __future__ import annotations

import reflex as rx

from portal import routes
from portal.services.media.compare import compare_pair
from portal.services.media.views import AssetView, VersionView
from portal.state.actions import ROLES
from portal.state.asset import BLANK
from portal.state.session import SessionState, guard

MODES = ("side", "wipe")


class CompareState(SessionState):
    """The pair named by ?a= (left, the lead player) and ?b= (right), and how they are shown."""

    left: AssetView = BLANK
    right: AssetView = BLANK
    # The deliverable's versions, newest first, for the two version pickers.
    versions: list[VersionView] = []
    mode: str = "side"
    error: str = ""

    @rx.var
    def ready(self) -> bool:
        return bool(self.left.id and self.right.id)

    @rx.var
    def title(self) -> str:
        if not (self.left.id and self.right.id):
            return "Compare versions"
        return f"{self.left.title}: {self.left.label} vs {self.right.label}"

    @rx.var
    def left_src(self) -> str:
        return routes.media_url(self.left.id, "hls/master.m3u8") if self.left.id else ""

    @rx.var
    def right_src(self) -> str:
        return routes.media_url(self.right.id, "hls/master.m3u8") if self.right.id else ""

    @rx.var
    def left_poster(self) -> str:
        return routes.media_url(self.left.id, "poster.jpg") if self.left.id else ""

    @rx.var
    def right_poster(self) -> str:
        return routes.media_url(self.right.id, "poster.jpg") if self.right.id else ""

    @rx.var
    def back_href(self) -> str:
        """The newer version's review page, comparing with the older one."""
        if not (self.left.id and self.right.id):
            return routes.DASHBOARD
        return routes.asset_url(self.right.id, compare=self.left.id)

    @rx.event
    @guard(roles=ROLES, clear=("left", "right", "versions"))
    def load(self) -> None:
        """on_load: both versions, as far as RLS lets this user see them."""
        query = self.router.url.query_parameters
        mode = query.get("mode", "side")
        self.mode = mode if mode in MODES else "side"
        with self._db() as session:
            self.left, self.right, self.versions = compare_pair(
                session=session,
                left_id=query.get("a", "")[:64],
                right_id=query.get("b", "")[:64],
            )

    @rx.event
    def set_mode(self, mode: str) -> None:
        """Side by side or wipe (the players stay loaded and in sync)."""
        self.mode = mode if mode in MODES else "side"

    @rx.event
    def choose(self, side: str, version_id: str):  # type: ignore[no-untyped-def]
        """Put another version of the deliverable on one side (a fresh page load)."""
        if not (self.left.id and self.right.id):
            return None
        ids = {v.id for v in self.versions}
        if version_id not in ids:
            return None
        left, right = (version_id, self.right.id) if side == "a" else (self.left.id, version_id)
        return rx.redirect(routes.compare_url(left, right, mode=self.mode))
