"""State tests run without building the app, so its pages are discovered here, as the app does
when it is built: the session state reads their navigation entries on every page load."""

from __future__ import annotations

import pytest

from portal.pages import discover


@pytest.fixture(autouse=True, scope="session")
def pages_discovered() -> None:
    discover()
