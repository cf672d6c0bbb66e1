"""Pages: one module per page, each registering itself with `@page` (see registry.py)."""

from __future__ import annotations

import functools
import importlib
import pkgutil

import reflex as rx

from portal import navigation
from portal.pages.registry import PAGES, PageSpec, page

__all__ = ["PAGES", "PageSpec", "add_pages", "discover", "page"]


@functools.cache
def discover() -> dict[str, PageSpec]:
    """Import every module in this package so its @page decorators run (once per process), and
    serve the registry to the navigation (portal.navigation), which the session state reads."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "registry":
            importlib.import_module(f"{__name__}.{module.name}")
    navigation.install(PAGES)
    return PAGES


def add_pages(app: rx.App) -> None:
    """Add every registered page to the app: public ones bare, the rest inside the layout."""
    from portal.components.layout import app_layout
    from portal.state.session import SessionState

    for spec in discover().values():
        if spec.public:
            component = spec.component
            on_load = list(spec.on_load)
        else:
            component = _in_layout(spec, app_layout)
            on_load = [SessionState.load_session, *spec.on_load]
        app.add_page(
            component,
            route=spec.route,
            title=f"{spec.title} · Motion Mavericks",
            on_load=on_load or None,
        )


def _in_layout(spec: PageSpec, layout):  # type: ignore[no-untyped-def]
    def render() -> rx.Component:
        heading = spec.title if spec.heading is None else spec.heading
        return layout(spec.component(), title=heading)

    render.__name__ = spec.component.__name__
    return render
