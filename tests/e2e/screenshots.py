"""`make screenshots`: every page at 1440×900 and 390×844, as each demo role and signed out.

Starts the production build against a scratch database with the demo data (on the test server:
TEST_DATABASE_URL, or the embedded PostgreSQL), signs in as the studio admin and as an agency
producer, opens every page the page registry lets them open (detail pages with a demo project,
deliverable and share link) and writes full-page PNGs into screenshots/ (git-ignored), with an
index.html to look through them side by side. The scratch database is dropped afterwards.

    .venv/bin/python -m tests.e2e.screenshots [--out screenshots]
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
from pathlib import Path

from portal import db
from portal.cli import migrate
from portal.demo import DemoAccount
from portal.settings import ROOT, get_settings
from tests.conftest import ScratchDatabase, _server_url
from tests.e2e.conftest import CHROME_ARGS, CHROMIUM, serving
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

SIZES = {"desktop": DESKTOP, "phone": PHONE}


def _scratch_database() -> ScratchDatabase:
    """A migrated throwaway database; settings and engines of this process point at it."""
    database = ScratchDatabase(_server_url())
    database.create()
    os.environ["DATABASE_URL"] = database.owner_url
    os.environ.pop("APP_DATABASE_URL", None)
    get_settings.cache_clear()
    db.reset_engines()
    migrate(database.owner_url)
    return database


def _shoot(page, base: str, stop: Stop, path: Path) -> None:
    """Open one page, wait for its data and its images, and save a full-page PNG."""
    page.goto(base + stop.url)
    page.locator(loaded_selector(stop.route)).first.wait_for()
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _tour(browser, base: str, who: str, stops: list[Stop], out: Path, account: DemoAccount | None):
    """Every stop at both sizes, signed in as `account` (or signed out); returns the files."""
    shots: dict[str, dict[str, str]] = {}
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            if account is not None:
                open_login(page, base)
                sign_in(page, account.email, account.password)
                page.wait_for_url(f"{base}/")
            for number, stop in enumerate(stops, start=1):
                name = f"{who}-{number:02d}-{stop.name}.png"
                _shoot(page, base, stop, out / size / name)
                shots.setdefault(f"{who}: {stop.url}", {})[size] = f"{size}/{name}"
            if account is not None and viewport == PHONE:
                # The navigation as a phone opens it from the menu button.
                page.get_by_role("button", name="Open the navigation").click()
                page.locator("#nav-sheet").wait_for()
                page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
                name = f"{who}-00-menu.png"
                page.screenshot(path=str(out / size / name))
                shots[f"{who}: the phone's menu"] = {size: f"{size}/{name}"}
        finally:
            context.close()
    return shots


def _index(out: Path, shots: dict[str, dict[str, str]]) -> None:
    """A page showing each screen at both sizes side by side."""
    rows = "\n".join(
        f"<h2>{html.escape(title)}</h2><div class=row>"
        + "".join(
            f'<a href="{files[size]}"><img src="{files[size]}" class={size}></a>'
            for size in SIZES
            if size in files
        )
        + "</div>"
        for title, files in shots.items()
    )
    (out / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Motion Mavericks screenshots</title>"
        "<style>body{font-family:sans-serif;margin:2rem}.row{display:flex;gap:1rem;"
        "align-items:flex-start}img{border:1px solid #ccc}.desktop{width:720px}"
        ".phone{width:195px}</style>\n" + rows
    )


def take_screenshots(out: Path) -> Path:
    """Serve the app on a scratch database with the demo data and photograph every page."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"Chromium not found at {CHROMIUM}: run `make browser`")
    database = _scratch_database()
    try:
        ids: DemoIds = demo_ids()
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        shots: dict[str, dict[str, str]] = {}
        with serving(database, "screenshots-server.log") as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
            for who, account in (("admin", ADMIN), ("producer", PRODUCER)):
                print(f"{who} ({account.email}):")
                stops = signed_in_stops(account, ids)
                shots |= _tour(browser, base, who, stops, out, account)
            print("signed out:")
            shots |= _tour(browser, base, "public", public_stops(ids), out, None)
            browser.close()
        _index(out, shots)
    finally:
        db.reset_engines()
        database.drop()
    return out / "index.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    index = take_screenshots(parser.parse_args().out.resolve())
    print(f"open {index}")


if __name__ == "__main__":
    main()
