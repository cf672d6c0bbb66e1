"""Browser-side figures in headless chromium: the portal against a bare Reflex counter app.

The baseline is built and served in the same run: a Reflex app with one button and one int var
(generated in a temporary directory, production build). Measured in the page itself, from the
pointerdown of a click to the DOM mutation that shows the result:
- click → DOM p50: the counter's increment vs the dashboard's tenant filter (a server event, the
  dashboard queries under RLS, the delta) — goals p50 ≤ 25 ms and ≤ 6× the counter;
- page load to interactive with data: a fresh browser context opening the page until the
  counter's first click shows / the dashboard shows its figures — goal ≤ 2× the counter;
- JS bundle size of each production build (raw and gzip), printed.

    python -m bench browser        (BROWSER_CLICKS=40 BROWSER_LOADS=5)
"""

from __future__ import annotations

import gzip
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench._portal import serve_portal
from bench._report import goal
from bench._support import free_port, scratch_database
from portal.settings import ROOT

CLICKS = int(os.environ.get("BROWSER_CLICKS", "40"))
LOADS = int(os.environ.get("BROWSER_LOADS", "5"))

COUNTER_APP = """
import reflex as rx


class Counter(rx.State):
    count: int = 0

    @rx.event
    def increment(self):
        self.count += 1


def index() -> rx.Component:
    return rx.vstack(
        rx.button("Increment", on_click=Counter.increment, id="inc"),
        rx.text(Counter.count, id="count"),
    )


app = rx.App()
app.add_page(index)
"""

COUNTER_CONFIG = """
import os
import reflex as rx

PORT = int(os.environ["PORTAL_PORT"])
config = rx.Config(
    app_name="counter",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    frontend_port=PORT,
    backend_port=PORT,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""

# Time from the last pointerdown to the first mutation under `selector` (in-page clock).
ARM = """(selector) => {
  window.__t1 = null;
  if (!window.__armed) {
    document.addEventListener('pointerdown', () => { window.__t0 = performance.now(); }, true);
    window.__armed = true;
  }
  const target = document.querySelector(selector);
  const observer = new MutationObserver(() => {
    if (window.__t1 === null) { window.__t1 = performance.now(); observer.disconnect(); }
  });
  observer.observe(target, {subtree: true, childList: true, characterData: true});
}"""


def bundle(web_dir: Path) -> tuple[int, int]:
    files = list((web_dir / "build" / "client").rglob("*.js"))
    raw = sum(f.stat().st_size for f in files)
    return raw, sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)


def launch(playwright):  # type: ignore[no-untyped-def]
    from tests.e2e.conftest import CHROME_ARGS, CHROMIUM

    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)


def timed_clicks(page, click, selector: str, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    took = []
    for i in range(count):
        page.evaluate(ARM, selector)
        click(i)
        page.wait_for_function("window.__t1 !== null")
        took.append(page.evaluate("window.__t1 - window.__t0"))
    return took


def measure_counter(browser, url: str) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    loads = []
    for _ in range(LOADS):
        context = browser.new_context()
        page = context.new_page()
        began = time.perf_counter()
        page.goto(url)
        page.click("#inc")
        page.wait_for_function("document.querySelector('#count')?.innerText === '1'")
        loads.append(time.perf_counter() - began)
        context.close()
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#inc")
    page.wait_for_load_state("networkidle")
    clicks = timed_clicks(page, lambda _: page.click("#inc"), "#count", CLICKS)
    context.close()
    return clicks, loads


def measure_dashboard(browser, url: str, cookie: str, tenants: list[tuple[str, int]]):  # type: ignore[no-untyped-def]
    name, value = cookie.split("=", 1)

    def signed_in():  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_cookies([{"name": name, "value": value, "url": url}])
        return context, context.new_page()

    total = sum(n for _, n in tenants)
    loads = []
    for _ in range(LOADS):
        context, page = signed_in()
        began = time.perf_counter()
        page.goto(url + "/")
        page.wait_for_function(
            f"document.querySelector('#stat-active .stat-value')?.innerText === '{total}'"
        )
        loads.append(time.perf_counter() - began)
        context.close()
    context, page = signed_in()
    page.goto(url + "/")
    page.wait_for_selector("#stat-active")
    page.wait_for_load_state("networkidle")

    def choose(i: int) -> None:
        tenant, _ = tenants[i % len(tenants)]
        page.locator("button[role=combobox]").first.click()
        page.locator("[role=option]", has_text=tenant).click()

    clicks = timed_clicks(page, choose, "#stat-active", CLICKS)
    context.close()
    return clicks, loads


def seed() -> tuple[str, list[tuple[str, int]]]:
    """A studio admin managing two agencies with 3 and 1 active projects; their cookie."""
    from portal.db import tenant_session
    from portal.services.accounts.auth import sign_in
    from portal.services.projects.projects import create_project
    from tests.factories import PASSWORD, make_tenant
    from tests.services.conftest import END, START, make_studio

    studio = make_studio()  # one agency with one project
    other = make_tenant(managed_by=studio.studio)
    with tenant_session(studio.admin_ctx) as session:
        for i in range(3):
            create_project(
                session=session,
                tenant_id=other.id,
                client_name="Client",
                title=f"Bench project {i}",
                start_date=START,
                end_date=END,
                created_by=studio.admin.id,
            )
    token = sign_in(email=studio.admin.email, password=PASSWORD).token
    return f"portal_session={token}", [(other.name, 3), (studio.agency.name, 1)]


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bare-counter-") as tmp:
        app_dir = Path(tmp)
        (app_dir / "counter").mkdir()
        (app_dir / "counter" / "__init__.py").write_text("")
        (app_dir / "counter" / "counter.py").write_text(COUNTER_APP)
        (app_dir / "rxconfig.py").write_text(COUNTER_CONFIG)
        port = free_port()
        print("building and serving the bare counter app …", flush=True)
        with (
            serve_portal(
                port,
                cwd=app_dir,
                web_dir=app_dir / ".web",
                ready_path="/",
                log_name="bench-bare.log",
            ),
            sync_playwright() as playwright,
        ):
            browser = launch(playwright)
            bare_clicks, bare_loads = measure_counter(browser, f"http://localhost:{port}/")
            browser.close()
        bare_bundle = bundle(app_dir / ".web")

    with scratch_database():
        cookie, tenants = seed()
        port = free_port()
        web_dir = ROOT / ".portal" / "web-bench"
        print("building and serving the portal …", flush=True)
        with serve_portal(port, web_dir=web_dir), sync_playwright() as playwright:
            browser = launch(playwright)
            url = f"http://localhost:{port}"
            dash_clicks, dash_loads = measure_dashboard(browser, url, cookie, tenants)
            browser.close()
        portal_bundle = bundle(web_dir)

    bare_p50, dash_p50 = statistics.median(bare_clicks), statistics.median(dash_clicks)
    bare_load, dash_load = statistics.median(bare_loads), statistics.median(dash_loads)
    print(
        f"bare counter: click→DOM p50 {bare_p50:.1f} ms (p95 "
        f"{sorted(bare_clicks)[int(0.95 * len(bare_clicks))]:.1f}), load+first event "
        f"{bare_load * 1000:.0f} ms; dashboard tenant filter: click→DOM p50 {dash_p50:.1f} ms "
        f"(p95 {sorted(dash_clicks)[int(0.95 * len(dash_clicks))]:.1f}), load to data "
        f"{dash_load * 1000:.0f} ms",
        flush=True,
    )
    ratio = dash_p50 / bare_p50
    goal(
        "browser: dashboard filter click → DOM p50",
        f"{dash_p50:.1f} ms",
        f"{bare_p50:.1f} ms (bare Reflex counter click)",
        ratio,
        "p50 ≤ 25 ms and ≤ 6× the counter",
        dash_p50 <= 25 and ratio <= 6,
    )
    goal(
        "browser: dashboard page load to interactive with data",
        f"{dash_load * 1000:.0f} ms",
        f"{bare_load * 1000:.0f} ms (bare counter load + first event)",
        dash_load / bare_load,
        "≤ 2× the counter",
        dash_load <= 2 * bare_load,
    )
    goal(
        "browser: JS bundle (all .js of the production build)",
        f"{portal_bundle[0] / 1024:.0f} KiB ({portal_bundle[1] / 1024:.0f} KiB gzip)",
        f"{bare_bundle[0] / 1024:.0f} KiB ({bare_bundle[1] / 1024:.0f} KiB gzip, bare counter)",
        portal_bundle[1] / bare_bundle[1],
        "printed",
    )


if __name__ == "__main__":
    main()
