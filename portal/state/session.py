"""The signed-in user, resolved from the HttpOnly session cookie on the server at every event
(one statement per event: portal/services/accounts/session_check.py), and `guard`: the one
way a handler checks who may run it and turns what goes wrong into a message on the page."""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar, cast

import reflex as rx
from sqlmodel import Session

from portal import routes
from portal.db import tenant_session
from portal.navigation import ALL_ROLES, allowed, nav_entries, page_for
from portal.services.accounts.auth import SESSION_COOKIE, SessionUser
from portal.services.accounts.session_check import SESSIONS, CheckedSession
from portal.services.core.errors import NotSignedIn, PermissionDenied, PortalError
from portal.services.core.permissions import Action, can
from portal.state import live

log = logging.getLogger(__name__)

# What a page says when a handler fails in a way no domain error describes (it is logged).
UNEXPECTED = "Something went wrong on our side. Please try again."

# The session checked for the event being handled: (token, result). Set by `guard` for the
# length of one handler, so the handler and whatever it calls ask the database once.
_EVENT_SESSION: ContextVar[tuple[str | None, CheckedSession | None] | None] = ContextVar(
    "portal_event_session", default=None
)


@dataclass
class NavItem:
    """One navigation link."""

    label: str
    href: str


def session_token(cookie_header: str | None) -> str | None:
    """The raw session token in a Cookie header (None when absent or malformed)."""
    cookie = SimpleCookie()
    try:
        cookie.load(cookie_header or "")
    except CookieError:
        return None
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else None


class SessionState(rx.State):
    """Who is signed in, for display; handlers re-check the session themselves (`_require_user`)."""

    user_name: str = ""
    user_email: str = ""
    tenant_name: str = ""
    role: str = ""
    # The tenant's branding colour (a validated #rrggbb).
    accent_color: str = "#e4572e"
    # The tenant's own logo ('' = the studio's default).
    logo_url: str = ""
    nav_items: list[NavItem] = []

    def _session_token(self) -> str | None:
        """The raw token from the cookie header captured when the socket connected."""
        return session_token(self.router.headers.cookie)

    def _checked_session(self, *, fresh: bool = False) -> CheckedSession | None:
        """The live session and its branding: one statement, so never late for a revocation;
        none when `guard` checked it already for this event (and the cookie is the same)."""
        token = self._session_token()
        return SESSIONS.check(token) if fresh else _check(token)

    def _current_user(self) -> SessionUser | None:
        checked = self._checked_session()
        return checked.user if checked else None

    def _require_user(
        self, roles: Sequence[str] = ALL_ROLES, *, fresh: bool = False
    ) -> SessionUser:
        """The live session's user with one of `roles`, or NotSignedIn / PermissionDenied
        (`fresh`: asked again, not taken from this event's check)."""
        checked = self._checked_session(fresh=fresh)
        user = checked.user if checked else None
        if user is None:
            raise NotSignedIn()
        if user.role not in roles:
            raise PermissionDenied()
        return user

    @contextmanager
    def _db(self) -> Iterator[Session]:
        """One tenant-scoped transaction as the event's user (app.user_id set for the audit
        log); a domain error inside rolls it back whole."""
        with tenant_session(self._require_user().context) as session:
            yield session

    def _assign(self, name: str, value: Any) -> None:
        """Set var `name` only when its value changes: an unchanged var is not sent again."""
        if getattr(self, name) != value:
            setattr(self, name, value)

    def _failure(self, exc: PortalError):  # type: ignore[no-untyped-def]
        """What a handler returns after a domain error: sign-in page if the session ended."""
        if isinstance(exc, NotSignedIn):
            return self._to_sign_in()
        return None

    def _here(self) -> str:
        """The page being shown, with its query (`/asset?id=…`), to come back to."""
        url = self.router.url
        return (url.path or routes.DASHBOARD) + (f"?{url.query}" if url.query else "")

    def _to_sign_in(self):  # type: ignore[no-untyped-def]
        """The sign-in page, coming back here afterwards. "Your session has ended" only when
        the browser sent a session cookie that no longer works (not to a first-time visitor);
        every on_load handler of a page answers with this same address."""
        self._clear()
        error = "session" if self._session_token() is not None else ""
        next_path = routes.safe_next(self._here())
        return rx.redirect(routes.login_url(error=error, next_path=next_path))

    def _clear(self) -> None:
        self.user_name = self.user_email = self.tenant_name = self.role = ""
        self.nav_items = []

    @rx.event
    def load_session(self):  # type: ignore[no-untyped-def]
        """on_load of every protected page: sign-in and role check, header and nav data."""
        checked = self._checked_session()
        if checked is None:
            return self._to_sign_in()
        user = checked.user
        spec = page_for(self.router.url.path or routes.DASHBOARD)
        if spec is None or not allowed(spec, user):
            return rx.redirect(routes.DASHBOARD)
        self.user_name = user.name or user.email
        self.user_email = user.email
        self.tenant_name = user.tenant_name
        self.role = user.role
        self.accent_color = checked.branding.accent_color
        self.logo_url = checked.branding.logo_url
        self.nav_items = [NavItem(label, href) for label, href in nav_entries(user)]
        return None


H = TypeVar("H", bound=Callable[..., Any])


def _check(token: str | None) -> CheckedSession | None:
    """The session behind `token`, from this event's check when there was one."""
    cached = _EVENT_SESSION.get()
    if cached is not None and cached[0] == token:
        return cached[1]
    return SESSIONS.check(token)


@dataclass(frozen=True)
class _Rules:
    """What `guard` enforces and where it reports (see `guard`)."""

    roles: tuple[str, ...]
    action: Action | None
    message: str
    clear: tuple[str, ...]
    busy: str
    keep_message: bool
    shared_check: bool

    def start(self, state: SessionState) -> None:
        """A new event: its message starts empty (unless kept) and its busy flag is up."""
        if not self.keep_message:
            state._assign(self.message, "")
        if self.busy:
            setattr(state, self.busy, True)

    def admit(self, checked: CheckedSession | None) -> None:
        if checked is None:
            raise NotSignedIn()
        user = checked.user
        if user.role not in self.roles or (self.action and not can(user, self.action)):
            raise PermissionDenied()

    def failed(self, state: SessionState, handler: str, exc: Exception):  # type: ignore[no-untyped-def]
        """Show what went wrong where the page shows this handler's messages; a domain error
        says itself (an ended session goes to the sign-in page), anything else is logged
        with its context and shown as a calm message. Never a raised error, never a stuck
        busy flag."""
        cls = state.__class__
        for name in self.clear:
            state._assign(name, cls.__fields__[name].default_value())
        if self.busy:
            setattr(state, self.busy, False)
        if isinstance(exc, PortalError):
            state._assign(self.message, exc.user_message)
            return state._failure(exc)
        cached = _EVENT_SESSION.get()
        user = cached[1].user if cached and cached[1] else None
        log.error(
            "%s.%s failed (user %s, tenant %s, page %s)",
            cls.__name__,
            handler,
            user.user_id if user else "-",
            user.tenant_id if user else "-",
            state.router.url.path,
            exc_info=exc,
        )
        state._assign(self.message, UNEXPECTED)
        return None


def guard(
    *,
    roles: Sequence[str] = ALL_ROLES,
    action: Action | None = None,
    message: str = "error",
    clear: Sequence[str] = (),
    busy: str = "",
    keep_message: bool = False,
    shared_check: bool = False,
) -> Callable[[H], H]:
    """The one check of a state handler (sync, async or background; put it under `@rx.event`).

    Before the handler runs, the signed-in user is resolved once for the whole event (one
    statement; `_require_user`, `_db` and nested guarded calls reuse it) and must have one of
    `roles` and, when given, may do `action`. A domain error (portal.services.core.errors)
    raised by the check or the handler becomes the var `message`'s text — an ended session
    also sends the tab to the sign-in page; any other exception is logged with its context
    and shows a calm message. Either way the vars in `clear` go back to their defaults and
    the flag `busy` (set while a handler runs) is reset. `message` is emptied when the
    handler starts (it tells what the last event did), unless `keep_message` (a live page's
    refresh, no act of the user's). `shared_check` (an async live page's re-read after a
    change): the tabs with the same cookie that one change woke share one session check begun
    after it arrived (`live.read_once`), as fresh as each tab's own. A background handler's own
    writes stay inside its `async with self`; the guard takes the lock only to read the
    cookie, to start and to report.
    """
    rules = _Rules(tuple(roles), action, message, tuple(clear), busy, keep_message, shared_check)

    def decorate(fn: H) -> H:
        name = fn.__name__
        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def stream(self: SessionState, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
                try:
                    async with self:
                        token = self._session_token()
                    entry = (token, await asyncio.to_thread(_check, token))
                    rules.admit(entry[1])
                    async with self:
                        rules.start(self)
                    steps = fn(self, *args, **kwargs)
                    while True:
                        mark = _EVENT_SESSION.set(entry)
                        try:
                            step = await anext(steps, _END)
                        finally:
                            _EVENT_SESSION.reset(mark)
                        if step is _END:
                            break
                        yield step
                except Exception as exc:
                    async with self:
                        outcome = rules.failed(self, name, exc)
                    if outcome is not None:
                        yield outcome
                finally:
                    if busy:
                        async with self:
                            setattr(self, busy, False)

            return cast(H, stream)

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(self: SessionState, *args: Any, **kwargs: Any) -> Any:
                mark = None
                try:
                    async with self:
                        token = self._session_token()
                    if rules.shared_check:
                        checked = await live.read_once(
                            ("session", token),
                            live.LISTENER.sequence,
                            functools.partial(_check, token),
                        )
                    else:
                        checked = await asyncio.to_thread(_check, token)
                    mark = _EVENT_SESSION.set((token, checked))
                    rules.admit(checked)
                    if busy or not keep_message:
                        async with self:
                            rules.start(self)
                    return await fn(self, *args, **kwargs)
                except Exception as exc:
                    async with self:
                        return rules.failed(self, name, exc)
                finally:
                    if mark is not None:
                        _EVENT_SESSION.reset(mark)
                    if busy:
                        async with self:
                            setattr(self, busy, False)

            return cast(H, run_async)

        @functools.wraps(fn)
        def run(self: SessionState, *args: Any, **kwargs: Any) -> Any:
            mark = None
            try:
                token = self._session_token()
                checked = _check(token)
                mark = _EVENT_SESSION.set((token, checked))
                rules.admit(checked)
                rules.start(self)
                return fn(self, *args, **kwargs)
            except Exception as exc:
                return rules.failed(self, name, exc)
            finally:
                if mark is not None:
                    _EVENT_SESSION.reset(mark)

        return cast(H, run)

    return decorate


_END = object()
