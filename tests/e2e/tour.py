"""A tour of every page: which routes each demo account may open (from the page registry), with
the ids the detail pages need taken from the demo data, and what shows once a page has loaded.

Shared by the phone-size browser test (test_responsive.py) and `make screenshots`
(tests/e2e/screenshots.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import select

from portal import navigation, routes
from portal.db import TenantContext, tenant_session
from portal.demo import DELIVERABLE, DEMO_ACCOUNTS, STUDIO, DemoAccount, load_demo_data
from portal.models import Asset, Project, Tenant, User
from portal.pages import discover
from portal.services.sharing.links import create_share_link

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

ADMIN = next(a for a in DEMO_ACCOUNTS if a.tenant == STUDIO)
PRODUCER = next(a for a in DEMO_ACCOUNTS if a.tenant == "Harbour & Co")
CAMPAIGN = "Spring Savings Campaign"

# What a page shows once its data has arrived (any of the selectors); a page not listed here is
# taken as loaded once it shows a heading.
LOADED = {
    routes.DASHBOARD: "#projects .project-row, #no-projects",
    routes.PROJECTS: ".project-row, #no-projects",
    routes.MY_TASKS: "#my-tasks, #no-tasks",
    routes.PROJECT: ".task-row, #no-tasks",
    routes.ASSET: "#asset-status[data-status=ready]",
    routes.AUDIT: ".audit-row, #audit-empty",
    routes.COMPLIANCE: "#retention tbody tr",
    routes.OPERATIONS: "#job-runs",
    routes.ADMIN_TENANTS: ".tenant-row",
    routes.ADMIN_USERS: ".user-row",
    routes.ACCOUNT: ".session-row",
    routes.NOTIFICATION_SETTINGS: ".pref-row",
    routes.ACCOUNT_TOKENS: "#token-create",
    routes.LOGIN: "#sign-in",
}
SHARE_LOADED = "#share-title, #share-unavailable, #share-passcode"


@dataclass(frozen=True)
class DemoIds:
    """The demo records the detail pages are opened with."""

    project_id: str
    asset_id: str
    share_path: str


@dataclass(frozen=True)
class Stop:
    """One page of the tour: its registered route, the URL opened and a file-friendly name."""

    route: str
    url: str
    name: str


class _Viewer:
    """The account as the navigation's permission check reads it."""

    def __init__(self, role: str, tenant_type: str) -> None:
        self.role = role
        self.tenant_type = tenant_type


def demo_ids() -> DemoIds:
    """Load the demo data (idempotent) and return Harbour's campaign, its ready deliverable and
    a new share link to it (made by the Harbour producer, as from the asset page)."""
    load_demo_data()
    with tenant_session(None) as session:
        harbour = session.scalar(select(Tenant.id).where(Tenant.name == PRODUCER.tenant))
    with tenant_session(TenantContext(tenant_id=harbour)) as session:
        producer = session.scalar(select(User.id).where(User.email == PRODUCER.email))
        project = session.scalar(select(Project.id).where(Project.title == CAMPAIGN))
        asset = session.scalar(
            select(Asset.id)
            .where(Asset.title == DELIVERABLE.format(project=CAMPAIGN), Asset.status == "ready")
            .order_by(Asset.version.desc())
        )
    with tenant_session(TenantContext(tenant_id=harbour, user_id=producer)) as session:
        link = create_share_link(
            session=session,
            asset_id=asset,
            created_by=producer,
            name="Client preview",
            allow_comments=True,
        )
    return DemoIds(str(project), str(asset), urlparse(link.url).path)


def _url(route: str, ids: DemoIds) -> str | None:
    if route == routes.PROJECT:
        return routes.project_url(ids.project_id)
    if route == routes.ASSET:
        return routes.asset_url(ids.asset_id)
    if route.startswith(routes.SHARE + "/"):
        return ids.share_path
    if "[" in route:
        return None  # a page that needs an id the demo data does not give
    return route


def _name(route: str) -> str:
    return route.strip("/").replace("/", "-").replace("[", "").replace("]", "") or "dashboard"


def signed_in_stops(account: DemoAccount, ids: DemoIds) -> list[Stop]:
    """Every signed-in page `account` may open, in navigation order (pages outside the nav last)."""
    viewer = _Viewer(account.role, "admin" if account.tenant == STUDIO else "agency")
    specs = [
        spec for spec in discover().values() if not spec.public and navigation.allowed(spec, viewer)
    ]
    specs.sort(key=lambda spec: (spec.nav is None, spec.order, spec.route))
    stops = [Stop(spec.route, _url(spec.route, ids) or "", _name(spec.route)) for spec in specs]
    return [stop for stop in stops if stop.url]


def public_stops(ids: DemoIds) -> list[Stop]:
    """The pages a signed-out visitor opens: sign-in and its companions, and a share link."""
    specs = sorted(
        (spec for spec in discover().values() if spec.public),
        key=lambda spec: (spec.route != routes.LOGIN, spec.route),
    )
    stops = [Stop(spec.route, _url(spec.route, ids) or "", _name(spec.route)) for spec in specs]
    return [stop for stop in stops if stop.url]


def loaded_selector(route: str) -> str:
    """The selector to wait for before a page is looked at (its data on screen)."""
    if route.startswith(routes.SHARE + "/"):
        return SHARE_LOADED
    return LOADED.get(route, "h1")
