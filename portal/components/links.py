"""Links to HTTP endpoints (downloads, CSV exports, evidence reports: anything under /api/).

`rx.link` and `rx.el.a` render React Router links: a click becomes a client-side route change,
which the single-page app answers with its own "404: Page not found" because no page has that
path. These links set `reloadDocument`, so the browser itself sends the request to the server
(and saves a file when the answer is an attachment or the link says `download`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def _anchor_props(href: str | rx.Var, *, download: bool, new_tab: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"href": href, "reload_document": True}
    if download:
        props["download"] = True
    if new_tab:
        props |= {"target": "_blank", "rel": "noopener"}
    return props


def endpoint_link(
    *children: rx.Component | str | rx.Var,
    href: str | rx.Var,
    download: bool = False,
    new_tab: bool = False,
    **props: Any,
) -> rx.Component:
    """A text link to a server endpoint; `download` saves the answer, `new_tab` opens a tab."""
    return rx.link(*children, **_anchor_props(href, download=download, new_tab=new_tab), **props)


def endpoint_button(
    label: str | rx.Var,
    *,
    href: str | rx.Var,
    download: bool = False,
    element_id: str | None = None,
    **button_props: Any,
) -> rx.Component:
    """A button-styled link to a server endpoint (one <a>, no button nested in a link)."""
    anchor = rx.el.a(label, id=element_id, **_anchor_props(href, download=download, new_tab=False))
    return rx.button(anchor, as_child=True, **button_props)
