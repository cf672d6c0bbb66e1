"""The page decorator: route, title, nav entry and allowed roles in one place.

    @page(route="/reports", title="Reports", nav="Reports", roles=("admin",))
    def reports() -> rx.Component: ...

A decorated function in any module under `portal/pages/` is discovered and added to the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from portal.services.core.permissions import Action, Actor, can

ALL_ROLES: tuple[str, ...] = ("admin", "agency")


@dataclass(frozen=True)
class PageSpec:
    """One registered page."""

    route: str
    title: str
    component: Callable[[], rx.Component]
    # Label in the navigation; None keeps the page out of the nav.
    nav: str | None = None
    # Roles that may open the page; empty means public (no sign-in).
    roles: tuple[str, ...] = ALL_ROLES
    on_load: Sequence[Any] = field(default_factory=tuple)
    # Position in the navigation (lower first).
    order: int = 100
    # An action the viewer must be allowed (docs/permissions.md), on top of the roles.
    action: Action | None = None

    @property
    def public(self) -> bool:
        return not self.roles


# route -> spec; keyed by route so a module imported twice registers once.
PAGES: dict[str, PageSpec] = {}


def page(
    *,
    route: str,
    title: str,
    nav: str | None = None,
    roles: Sequence[str] = ALL_ROLES,
    on_load: Any = None,
    order: int = 100,
    action: Action | None = None,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page function; protected pages get the app layout and a session check."""

    def register(component: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        handlers = on_load if isinstance(on_load, list | tuple) else ([on_load] if on_load else [])
        PAGES[route] = PageSpec(
            route=route,
            title=title,
            component=component,
            nav=nav,
            roles=tuple(roles),
            on_load=tuple(handlers),
            order=order,
            action=action,
        )
        return component

    return register


def _all_pages() -> dict[str, PageSpec]:
    """The registry with every page module imported (state code may ask before the app does)."""
    from portal.pages import discover

    return discover()


def allowed(spec: PageSpec, actor: Actor) -> bool:
    """May `actor` open this page (role listed, and the page's action permitted)?"""
    return actor.role in spec.roles and (spec.action is None or can(actor, spec.action))


def nav_entries(actor: Actor) -> list[tuple[str, str]]:
    """(label, route) pairs of the nav pages `actor` may open, in order."""
    specs = sorted(
        (s for s in _all_pages().values() if s.nav and allowed(s, actor)), key=lambda s: s.order
    )
    return [(spec.nav, spec.route) for spec in specs if spec.nav]


def page_for(route: str) -> PageSpec | None:
    """The registered page for `route` (trailing slash ignored)."""
    pages = _all_pages()
    return pages.get(route) or pages.get(route.rstrip("/") or "/")
