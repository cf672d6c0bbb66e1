"""Every link to a server endpoint is followed by the browser, not the single-page router.

A React Router link to a path no page has shows the app's "404: Page not found" (issue 20). The
pages name endpoint addresses `*_url` / `url` and page addresses `href`, and literal targets are
page routes: a link whose target is an endpoint must carry `reloadDocument`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.pages import discover

ENDPOINT_TARGET = re.compile(r"(^|[^a-z])(url|[a-z_]*_url)(_rx_state_|\b)|/api/")
PAGE_TARGET = re.compile(r'^"(/[^"?]*)')


def router_links(node: Any) -> list[list[str]]:
    """The props of every React Router link in a rendered component tree."""
    if isinstance(node, dict):
        found = [node["props"]] if node.get("name") == "ReactRouterLink" else []
        return found + [p for value in node.values() for p in router_links(value)]
    if isinstance(node, list):
        return [p for value in node for p in router_links(value)]
    return []


def links_of(route: str) -> list[tuple[str, bool]]:
    """(target expression, follows by document load) for each link on the page."""
    rendered = discover()[route].component().render()
    return [
        (next(p[3:] for p in props if p.startswith("to:")), "reloadDocument:true" in props)
        for props in router_links(rendered)
    ]


@pytest.mark.parametrize("route", sorted(discover()))
def test_links_to_endpoints_reach_the_server(route: str) -> None:
    pages = set(discover())
    for target, document in links_of(route):
        literal = PAGE_TARGET.match(target)
        if literal and literal.group(1) in pages:
            continue
        if ENDPOINT_TARGET.search(target) or literal:
            assert document, f"{route}: link to {target} is taken by the client-side router"


def test_the_known_endpoint_links_are_real_navigations() -> None:
    assert any("export_url" in t and doc for t, doc in links_of("/audit"))
    assert any("download_url" in t and doc for t, doc in links_of("/s/[token]"))
    assert sum(doc for t, doc in links_of("/compliance") if "url" in t) == 2
