"""The page decorator: route, title, nav entry and allowed roles in one place.

    @page(route="/reports", title="Reports", nav="Reports", roles=("admin",))
    def reports() -> rx.Component: ...

A decorated function in any module under `portal/pages/` is discovered and added to the app;
its navigation entry (who may open it, where it sits in the nav) is what portal.navigation
serves to the session state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from portal.navigation import ALL_ROLES, PageEntry
from portal.services.core.permissions import Action


@dataclass(frozen=True, kw_only=True)
class PageSpec(PageEntry):
    """One registered page: its navigation entry, and what the app renders and loads."""

    component: Callable[[], rx.Component]
    on_load: Sequence[Any] = field(default_factory=tuple)
    # What the layout's heading says when it is not the title: a state var naming the thing
    # the page shows (the project's title on a project's page).
    heading: Any = None


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
    heading: Any = None,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a page function; protected pages get the app layout and a session check.
    `heading` gives the layout's heading when the page names its subject there (a project's
    title rather than "Project"); `title` stays the browser tab's and the fallback."""

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
            heading=heading,
        )
        return component

    return register
