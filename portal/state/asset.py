"""Asset review page state: one version, its stack and compare, live status, comments, approval."""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass
from functools import partial

import reflex as rx

from portal import routes
from portal.db import TenantContext, tenant_session
from portal.services.core.errors import NotSignedIn, OldVersion
from portal.services.core.permissions import Action, can
from portal.services.media.annotations import drawing_marks_json
from portal.services.media.comments import (
    FILTERS,
    AssetCommentView,
    add_asset_comment,
    asset_drawings,
    set_resolved,
)
from portal.services.media.compare import threads_with_earlier
from portal.services.media.mentions import people_for_asset, people_json
from portal.services.media.review import decide, next_decisions
from portal.services.media.views import AssetView, VersionView, asset_view
from portal.state import live
from portal.state.actions import ROLES
from portal.state.session import SessionState, guard

BLANK = AssetView(
    "", "", "", "", "local", "", "", "", "", 25.0, "", "", "in_review", "", "", False, False
)
# What the page shows of the version: emptied when it cannot be shown.
SHOWN = ("asset", "versions", "comments", "drawings", "decisions")


@dataclass(frozen=True)
class Reading:
    """What the page re-read: the version and its stack, and/or its thread and drawings."""

    head: tuple[AssetView, list[VersionView], str] | None
    thread: tuple[list[AssetCommentView], str] | None


def _read(
    ctx: TenantContext,
    asset_id: str,
    status: str,
    query: str,
    earlier: list[str],
    *,
    head: bool,
    thread: bool,
) -> Reading:
    """One transaction reading what the page shows (only the parts asked for)."""
    with tenant_session(ctx) as session:
        version = None
        if head:
            shown, stack = asset_view(session=session, asset_id=asset_id)
            people = people_json(people_for_asset(session=session, asset_id=asset_id))
            version = (shown, stack, people)
        comments = None
        if thread:
            rows = threads_with_earlier(
                session=session, asset_id=asset_id, earlier=earlier, status=status, query=query
            )
            marks = asset_drawings(session=session, asset_id=asset_id)
            comments = (rows, drawing_marks_json(marks))
    return Reading(version, comments)


def live_keys(asset_id: str, project_id: str, earlier: list[str]) -> set[str]:
    """The change keys an asset page follows (see migration 0028): its version, the project's
    versions (the stack), its comments and those of the earlier versions it can show."""
    keys = {f"asset:{asset_id}", f"comments:{asset_id}", f"project:{project_id}"}
    return keys | {f"comments:{version_id}" for version_id in earlier}


class AssetState(SessionState):
    """One asset version as its review page shows it; refreshed after every change."""

    asset_id: str = ""
    asset: AssetView = BLANK
    versions: list[VersionView] = []
    # The other version of a toggle compare ("" when not comparing) and which one is showing.
    compare_id: str = ""
    showing_compare: bool = False
    comments: list[AssetCommentView] = []
    # Earlier versions whose comments the list shows too ("Show v1 comments"), by id.
    with_earlier: list[str] = []
    # Who an @mention in the comment box can suggest (JSON for assets/mentions.js).
    mention_people: str = "[]"
    # The version's drawings as JSON for the player's annotation layer (assets/annotate.js).
    drawings: str = "[]"
    comment_filter: str = "all"
    comment_query: str = ""
    reply_to: str = ""
    comment_error: str = ""
    error: str = ""
    notice: str = ""
    # Set when approving an older version needs an explicit confirmation.
    confirm_old: str = ""
    can_approve: bool = False
    can_comment: bool = False
    # The review decisions this version's state allows next (the only buttons offered).
    decisions: list[str] = []

    @rx.var
    def src(self) -> str:
        shown = self.compare_id if self.showing_compare and self.compare_id else self.asset_id
        return routes.media_url(shown, "hls/master.m3u8") if self.asset.playable else ""

    @rx.var
    def poster(self) -> str:
        return routes.media_url(self.asset_id, "poster.jpg") if self.asset.playable else ""

    @rx.var
    def earlier_versions(self) -> list[VersionView]:
        """The versions older than this one (the stack is newest first)."""
        ids = [v.id for v in self.versions]
        return self.versions[ids.index(self.asset_id) + 1 :] if self.asset_id in ids else []

    @rx.var
    def compare_label(self) -> str:
        return next((v.label for v in self.versions if v.id == self.compare_id), "")

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def load(self):  # type: ignore[no-untyped-def]
        """on_load: the version named by ?id= (and ?compare=), as far as RLS lets this user
        see it; then the page follows its changes live."""
        query = self.router.url.query_parameters
        self.asset_id = query.get("id", "")[:64]
        self.compare_id = query.get("compare", "")[:64]
        self.showing_compare, self.reply_to, self.confirm_old = False, "", ""
        self.with_earlier = []
        self.notice = self.comment_error = ""
        self._refresh()
        if not live.running(f"asset:{self.asset_id}", self.router.session.client_token):
            return AssetState.watch
        return None

    def _refresh(self) -> None:
        """Re-read the version, its thread and drawings (a domain error: `guard` empties them)."""
        user = self._require_user(ROLES)
        self._show(
            _read(
                user.context,
                self.asset_id,
                self.comment_filter,
                self.comment_query,
                self.with_earlier,
                head=True,
                thread=True,
            )
        )
        self._assign("can_approve", can(user, Action.APPROVE_ASSET))
        self._assign("can_comment", can(user, Action.COMMENT))
        self._assign("error", "")

    def _show(self, reading: Reading) -> None:
        """Assign what was re-read, each var only when it changed."""
        if reading.head is not None:
            asset, versions, people = reading.head
            self._assign("asset", asset)
            self._assign("mention_people", people)
            self._assign("versions", list(versions))  # a shared read: never the same list
            known = {v.id for v in versions} - {self.asset_id}
            if self.compare_id not in known:
                self._assign("compare_id", "")
            self._assign("decisions", sorted(next_decisions(asset.review_status)))
        if reading.thread is not None:
            comments, drawings = reading.thread
            self._assign("comments", list(comments))
            self._assign("drawings", drawings)

    @rx.event(background=True)
    async def watch(self):  # type: ignore[no-untyped-def]
        """Follow the version live: a new comment or drawing, a status or review change, a new
        version in the stack show without a reload. Pushed (LISTEN/NOTIFY): no database work
        until something this page shows changed."""
        async with self:
            client, asset_id = self.router.session.client_token, self.asset_id
            earlier = [v.id for v in self.earlier_versions]
            keys = live_keys(asset_id, self.asset.project_id, earlier)
        async with aclosing(live.changes(f"asset:{asset_id}", client, keys)) as changes:
            async for fired in changes:
                # Idle: nothing to read (a tab that left this version stops on its next change).
                if fired and await self._follow(asset_id, fired) is not True:
                    return

    @guard(roles=ROLES, clear=SHOWN, keep_message=True, shared_check=True)
    async def _follow(self, asset_id: str, fired: set[str]) -> bool:
        """Re-read what `fired` names, outside the state lock, with the session checked
        afresh (by `guard`); False once the tab no longer shows this version."""
        async with self:
            if self.asset_id != asset_id or not live.on_page(self.router.url.path, routes.ASSET):
                return False
            token, status, query = self._session_token(), self.comment_filter, self.comment_query
            earlier = list(self.with_earlier)
        woken_at = live.LISTENER.sequence
        comments = {key for key in fired if key.startswith("comments:")}
        thread, head = bool(comments), bool(fired - comments)
        ctx = self._require_user().context
        reading = await live.read_once(
            ("asset", ctx, asset_id, status, query, tuple(earlier), head, thread),
            woken_at,
            partial(_read, ctx, asset_id, status, query, earlier, head=head, thread=thread),
        )
        async with self:
            if self._session_token() != token:
                raise NotSignedIn()
            if self.asset_id != asset_id:
                return False
            if (status, query, earlier) != (
                self.comment_filter,
                self.comment_query,
                self.with_earlier,
            ):
                # The filter changed meanwhile (its handler re-read the thread itself).
                reading = Reading(reading.head, None)
            self._show(reading)
        return True

    @rx.event
    @guard(roles=ROLES, action=Action.COMMENT, message="comment_error")
    def post_comment(self, form: dict):  # type: ignore[no-untyped-def]
        """Comment at the player's current time, or over the marked in/out range (with the
        drawing made on that frame, if any), or reply in a thread."""
        reply_to, self.notice = self.reply_to, ""
        drawing = form.get("annotation") or None
        with self._db() as session:
            add_asset_comment(
                session=session,
                asset_id=self.asset_id,
                author_id=self._require_user().user_id,
                body=str(form.get("body", "")),
                timecode=None if reply_to else str(form.get("timecode", "") or "0"),
                end=None if reply_to else str(form.get("end", "") or "") or None,
                reply_to_id=reply_to or None,
                annotation=drawing,
            )
        self.reply_to = ""
        self._refresh()
        # The range and the drawing belonged to this comment; the next one starts afresh.
        script = "window.portalPlayer && window.portalPlayer.clearRange()"
        if drawing:
            script += "; window.portalAnnotate && window.portalAnnotate.clear()"
        return rx.call_script(script)

    @rx.event
    def set_reply_to(self, comment_id: str) -> None:
        """Reply in this thread with the next comment ("" for a new timecoded comment)."""
        self.reply_to = comment_id[:64]

    @rx.event
    @guard(roles=ROLES, action=Action.COMMENT, message="comment_error")
    def resolve(self, comment_id: str, resolved: bool) -> None:
        """Resolve or reopen a thread."""
        self.notice = ""
        with self._db() as session:
            set_resolved(
                session=session,
                comment_id=comment_id,
                user_id=self._require_user().user_id,
                resolved=bool(resolved),
            )
        self._refresh()

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def set_filter(self, value: str) -> None:
        """Show all, open or resolved threads."""
        self.comment_filter = value if value in FILTERS else "all"
        self._refresh()

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def search(self, form: dict) -> None:
        """Full-text search over this version's comments."""
        self.comment_query = str(form.get("q", ""))[:200]
        self._refresh()

    @rx.event
    @guard(roles=ROLES, action=Action.APPROVE_ASSET)
    def review(self, decision: str, confirm_old: bool = False) -> None:
        """Approve, request changes or reopen review of this version."""
        self.confirm_old = ""
        try:
            with self._db() as session:
                decide(
                    session=session,
                    asset_id=self.asset_id,
                    user_id=self._require_user().user_id,
                    decision=str(decision),
                    confirm_old=bool(confirm_old),
                )
        except OldVersion as exc:
            self.confirm_old = exc.user_message
        self._refresh()

    @rx.event
    def toggle_compare(self) -> None:
        """Switch the player between this version and the one being compared."""
        self.showing_compare = not self.showing_compare and bool(self.compare_id)

    @rx.event
    def set_compare(self, version_id: str) -> None:
        """Choose another version of this deliverable to compare with."""
        known = {v.id for v in self.versions} - {self.asset_id}
        self.compare_id = version_id if version_id in known else ""
        self.showing_compare = False

    @rx.event
    @guard(roles=ROLES, clear=SHOWN)
    def show_earlier(self, version_id: str, shown: bool) -> None:
        """Show or hide an earlier version's comments beside this one's (marked "v1")."""
        rest = [v for v in self.with_earlier if v != version_id]
        self.with_earlier = [*rest, str(version_id)[:64]] if shown else rest
        self._refresh()
