"""Who may open which page, and the navigation: what the pages declare and the session reads.

Each page declares its entry with `@page` (portal/pages/registry.py): route, title, nav label and
position, roles, permission. The session state (portal/state/session.py) reads them here, on
every page load, to guard the route and fill the navigation. This module sits below both, so
state never imports the pages.

The pages are discovered once, when the app is built (`portal.pages.discover`, which installs
the registry here); asking before that is a programming error and says so, rather than serving
an empty navigation and redirecting every page to the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal.services.core.permissions import Action, Actor, can

ALL_ROLES: tuple[str, ...] = ("admin", "agency")


@dataclass(frozen=True, kw_only=True)
class PageEntry:
    """One page as the navigation knows it (its component stays with the page registry)."""

    route: str
    title: str
    # Label in the navigation; None keeps the page out of the nav.
    nav: str | None = None
    # Roles that may open the page; empty means public (no sign-in).
    roles: tuple[str, ...] = ALL_ROLES
    # Position in the navigation (lower first).
    order: int = 100
    # An action the viewer must be allowed (docs/permissions.md), on top of the roles.
    action: Action | None = None

    @property
    def public(self) -> bool:
        return not self.roles


# route -> entry: the page registry's own mapping, once the pages are discovered.
_entries: Mapping[str, PageEntry] | None = None


def install(entries: Mapping[str, PageEntry]) -> None:
    """Serve `entries` (the discovered page registry, kept live: a page added later shows)."""
    global _entries
    _entries = entries


def _installed() -> Mapping[str, PageEntry]:
    if _entries is None:
        raise RuntimeError(
            "no pages discovered yet: portal.pages.discover() runs when the app is built"
        )
    return _entries


def allowed(entry: PageEntry, actor: Actor) -> bool:
    """May `actor` open this page (role listed, and the page's action permitted)?"""
    return actor.role in entry.roles and (entry.action is None or can(actor, entry.action))


def nav_entries(actor: Actor) -> list[tuple[str, str]]:
    """(label, route) pairs of the nav pages `actor` may open, in order."""
    entries = sorted(
        (e for e in _installed().values() if e.nav and allowed(e, actor)), key=lambda e: e.order
    )
    return [(entry.nav, entry.route) for entry in entries if entry.nav]


def page_for(route: str) -> PageEntry | None:
    """The page registered for `route` (trailing slash ignored)."""
    entries = _installed()
    return entries.get(route) or entries.get(route.rstrip("/") or "/")
