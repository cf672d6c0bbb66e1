"""The dev mailbox is a developer's tool: registered in development only, never in the
navigation (issue 20: 'the dev Mailbox outside the main navigation, and absent in production')."""

from __future__ import annotations

import os
import subprocess
import sys

from portal import routes
from portal.navigation import nav_entries
from portal.pages import discover
from portal.settings import ROOT, get_settings


class StudioAdmin:
    role, tenant_type = "admin", "admin"


def test_in_development_the_page_exists_but_not_in_the_navigation() -> None:
    assert get_settings().portal_env == "dev"
    pages = discover()
    assert routes.MAILBOX in pages and pages[routes.MAILBOX].nav is None
    entries = nav_entries(StudioAdmin())
    assert routes.OPERATIONS in {route for _, route in entries}
    assert routes.MAILBOX not in {route for _, route in entries}
    assert "Mailbox" not in {label for label, _ in entries}


def test_in_production_the_page_does_not_exist() -> None:
    env = os.environ | {
        "PORTAL_ENV": "prod",
        "PORTAL_SECRET_KEY": "k" * 48,
        "PORTAL_URL": "https://portal.example.test",
        "MAIL_BACKEND": "outbox",
    }
    check = (
        "from portal.pages import discover; from portal import routes; "
        "pages = discover(); print(routes.MAILBOX in pages, routes.OPERATIONS in pages)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
