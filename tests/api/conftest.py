"""HTTP route tests: clients of the portal's API (client_for in tests/conftest.py builds any
other: signed in, from a given address, around another app)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from portal.api import build_api
from portal.api._worker import with_worker_header


@pytest.fixture()
def client(client_for: Callable[..., TestClient]) -> TestClient:
    """An anonymous client, from an address of its own."""
    return client_for()


@pytest.fixture()
def worker_client(client_for: Callable[..., TestClient]) -> TestClient:
    """An anonymous client of the API as served: responses may name their worker."""
    return client_for(app=with_worker_header(build_api()))
