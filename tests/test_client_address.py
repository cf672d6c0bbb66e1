"""The client address: X-Forwarded-For is read only behind a trusted proxy (one helper serves the
HTTP endpoints and the share page's state)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.requests import Request

from portal.api._http import client_ip
from portal.integrations.proxy import client_address
from portal.settings import get_settings


@pytest.fixture()
def trust_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TRUST_PROXY_HEADERS", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _request(forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "headers": headers, "client": ("10.0.0.9", 5000)})


def test_without_a_trusted_proxy_the_header_is_ignored() -> None:
    assert client_address("10.0.0.9", "203.0.113.7") == "10.0.0.9"
    assert client_ip(_request("203.0.113.7")) == "10.0.0.9"


def test_behind_a_trusted_proxy_the_first_hop_counts(trust_proxy: None) -> None:
    assert client_address("10.0.0.9", " 203.0.113.7 , 10.0.0.1") == "203.0.113.7"
    assert client_address("10.0.0.9", "") == "10.0.0.9"
    assert client_address(None, None) is None
    assert client_address("10.0.0.9", "x" * 100) == "x" * 64
    assert client_ip(_request("203.0.113.7, 10.0.0.1")) == "203.0.113.7"
    assert client_ip(_request(None)) == "10.0.0.9"
