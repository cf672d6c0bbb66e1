"""Poster thumbnails: the project's deliverables table and the review page's version switcher
show each processed version's poster (served after the access check), at desktop and phone
sizes; a thumbnail switches version."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from portal import routes
from tests.e2e.test_compare import signed_in, two_versions
from tests.factories import make_studio

LOADED = "(img) => img.complete && img.naturalWidth > 0"


def test_posters_in_lists_and_the_version_switcher(page, app_url: str, clips, tmp_path: Path):
    s = make_studio()
    v1, v2 = two_versions(s, clips, tmp_path)
    signed_in(page, app_url, s)

    page.goto(app_url + routes.project_url(str(s.project.id)))
    row = page.locator(".deliverable-row", has_text="Hero film")
    thumb = row.locator("img.poster-thumb")
    expect(thumb).to_be_visible()
    assert thumb.get_attribute("src") == routes.media_url(v2, "poster.jpg")
    page.wait_for_function(f"({LOADED})(document.querySelector('.deliverable-row img'))")

    thumb.click()
    page.wait_for_url(f"**/asset?id={v2}")
    cards = page.locator("#version-switcher .version-thumb")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_have_attribute("aria-current", "page")
    expect(cards.nth(0)).to_contain_text("v2")
    page.wait_for_function(
        f"[...document.querySelectorAll('#version-switcher img')].every({LOADED})"
    )

    # On a phone the switcher stays inside the screen; a thumbnail opens that version.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.locator("#version-switcher .version-thumb[data-label=v1]").click()
    page.wait_for_url(f"**/asset?id={v1}")
    expect(page.locator(".version-thumb[aria-current=page]")).to_contain_text("v1")
    page.goto(app_url + routes.project_url(str(s.project.id)))
    phone_thumb = page.locator(".deliverable-row img.poster-thumb")
    phone_thumb.scroll_into_view_if_needed()
    expect(phone_thumb).to_be_visible()
    box = phone_thumb.bounding_box()
    assert box and round(box["width"]) == 80
