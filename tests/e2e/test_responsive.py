"""Every page on a phone (390×844) and a desktop (1440×900), as the studio admin and as an agency
producer: nothing scrolls sideways, the heading wraps by words (not a letter per line), and the
navigation works — on a phone from the menu button, which opens it over the page and leads to
another page; on a desktop as the sidebar. The share page, signed out, fits a phone too."""

from __future__ import annotations

import pytest

from portal import routes
from portal.pages import discover
from tests.e2e.test_sign_in import open_login, sign_in
from tests.e2e.tour import (
    ADMIN,
    DESKTOP,
    PHONE,
    PRODUCER,
    DemoIds,
    Stop,
    demo_ids,
    loaded_selector,
    public_stops,
    signed_in_stops,
)

# The page's own sideways overflow: the document's and the main column's (a wide table scrolls
# inside its own box, which is allowed).
OVERFLOW = """() => {
  const main = document.querySelector('#main');
  return {
    page: document.documentElement.scrollWidth - window.innerWidth,
    main: main ? main.scrollWidth - main.clientWidth : 0,
  };
}"""

# The heading's width and how many lines its text takes, against its number of words.
HEADING = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return {
    width: el.getBoundingClientRect().width,
    lines: tops.size,
    words: el.innerText.trim().split(/\\s+/).length,
    text: el.innerText,
  };
}"""


@pytest.fixture(scope="module")
def ids(app_url: str) -> DemoIds:
    return demo_ids()


def _nav_id(route: str, prefix: str) -> str:
    return f"#{prefix}-" + route.replace("/", "-")


def _open(page, base: str, stop: Stop) -> None:
    page.goto(base + stop.url)
    _loaded(page, stop)


def _loaded(page, stop: Stop) -> None:
    page.locator(loaded_selector(stop.route)).first.wait_for()


def _fits(page, stop: Stop, heading: str = "#page-heading") -> None:
    overflow = page.evaluate(OVERFLOW)
    assert overflow["page"] <= 0, f"{stop.url} scrolls sideways by {overflow['page']} px"
    assert overflow["main"] <= 1, f"{stop.url}: the page body is {overflow['main']} px too wide"
    title = page.locator(heading).first
    title.wait_for()
    shape = title.evaluate(HEADING)
    # One line, or lines of whole words across a reasonable width (not "Das/hbo/ard").
    squeezed = shape["lines"] > 1 and shape["width"] <= 100
    assert not squeezed, f"{stop.url}: heading {shape['text']!r} squeezed: {shape}"
    assert shape["lines"] <= shape["words"], f"{stop.url}: heading broken in words: {shape}"


def _via_menu(page, base: str, target: Stop) -> None:
    """Open the navigation with the menu button and choose `target`; the sheet closes."""
    assert page.locator(_nav_id(target.route, "nav")).is_hidden()  # no sidebar on a phone
    page.get_by_role("button", name="Open the navigation").click()
    sheet = page.locator("#nav-sheet")
    sheet.wait_for()
    sheet.get_by_role("link", name=_label(target.route), exact=True).click()
    page.wait_for_url(base + target.url)
    sheet.wait_for(state="detached")
    _loaded(page, target)


def _label(route: str) -> str:
    label = discover()[route].nav
    assert label, f"{route} has no navigation entry"
    return label


def _sign_in(browser, base: str, account, viewport: dict):
    page = browser.new_context(viewport=viewport).new_page()
    page.set_default_timeout(60_000)
    open_login(page, base)
    sign_in(page, account.email, account.password)
    page.wait_for_url(f"{base}/")
    return page


@pytest.mark.parametrize("account", [ADMIN, PRODUCER], ids=["studio-admin", "agency-producer"])
def test_every_page_fits_a_phone_and_the_menu_navigates(browser, app_url, ids, account) -> None:
    stops = signed_in_stops(account, ids)
    nav_stops = [s for s in stops if discover()[s.route].nav]
    assert len(nav_stops) >= 4 and any(s.route == routes.ASSET for s in stops)
    page = _sign_in(browser, app_url, account, PHONE)
    try:
        _loaded(page, nav_stops[0])
        for stop in stops:
            if stop is nav_stops[0]:
                pass  # signed in onto it
            elif stop in nav_stops:
                _via_menu(page, app_url, stop)  # from the page before
            else:
                _open(page, app_url, stop)
            _fits(page, stop)
            assert page.get_by_role("button", name="Open the navigation").is_visible()
        # From a page outside the navigation (the last ones), the menu leads back.
        _via_menu(page, app_url, nav_stops[0])
        # The sheet also says who is signed in, and signs out.
        page.get_by_role("button", name="Open the navigation").click()
        sheet = page.locator("#nav-sheet")
        assert account.email in sheet.inner_text()
        sheet.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("#login-notice")
    finally:
        page.context.close()


@pytest.mark.parametrize("account", [ADMIN, PRODUCER], ids=["studio-admin", "agency-producer"])
def test_every_page_keeps_its_sidebar_on_a_desktop(browser, app_url, ids, account) -> None:
    page = _sign_in(browser, app_url, account, DESKTOP)
    try:
        for stop in signed_in_stops(account, ids):
            _open(page, app_url, stop)
            _fits(page, stop)
            assert page.locator("#app-nav").bounding_box()["width"] >= 200
            assert page.locator(_nav_id(routes.PROJECTS, "nav")).is_visible()
            assert page.locator("#sign-out").is_visible()
            assert page.get_by_role("button", name="Open the navigation").is_hidden()
    finally:
        page.context.close()


def test_signed_out_pages_and_the_share_page_fit_a_phone(browser, app_url, ids) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(60_000)
    try:
        stops = public_stops(ids)
        assert any(s.url == ids.share_path for s in stops)
        for stop in stops:
            _open(page, app_url, stop)
            heading = "#share-title" if stop.url == ids.share_path else "h1"
            _fits(page, stop, heading)
    finally:
        page.context.close()
