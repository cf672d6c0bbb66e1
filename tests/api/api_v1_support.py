"""Helpers for the /api/v1 tests: tokens with scopes, and a bearer client."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.testclient import TestClient

from portal.services.accounts import api_tokens
from tests.factories import session_of

ALL_READ = [f"{f}:read" for f in ("projects", "reviews", "sharing", "notifications", "admin")]
ALL_WRITE = [f"{f}:write" for f in ("projects", "reviews", "sharing", "notifications", "admin")]


def token_for(user, scopes: Iterable[str] = ALL_WRITE) -> str:  # type: ignore[no-untyped-def]
    """A new personal access token of `user` (a User row) with `scopes`."""
    return api_tokens.create_token(user=session_of(user), name="test", scopes=list(scopes)).token


def with_token(client: TestClient, token: str) -> TestClient:
    client.headers["Authorization"] = f"Bearer {token}"
    return client
