"""The signed-in user, resolved from the HttpOnly session cookie on the server at every event
(one statement per event: portal/services/accounts/session_check.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from portal import routes
from portal.navigation import ALL_ROLES, allowed, nav_entries, page_for
from portal.services.accounts.auth import SESSION_COOKIE, SessionUser
from portal.services.accounts.session_check import SESSIONS, CheckedSession
from portal.services.core.errors import NotSignedIn, PermissionDenied, PortalError


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

    def _checked_session(self) -> CheckedSession | None:
        """The live session and its branding: one statement, so never late for a revocation."""
        return SESSIONS.check(self._session_token())

    def _current_user(self) -> SessionUser | None:
        checked = self._checked_session()
        return checked.user if checked else None

    def _require_user(self, roles: Sequence[str] = ALL_ROLES) -> SessionUser:
        """The live session's user with one of `roles`, or NotSignedIn / PermissionDenied."""
        user = self._current_user()
        if user is None:
            raise NotSignedIn()
        if user.role not in roles:
            raise PermissionDenied()
        return user

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
