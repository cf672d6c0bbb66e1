"""Reflex's `POST /_upload` behind the guard: anonymous bodies are refused before a byte is read,
signed-in bodies stop at UPLOAD_MAX_BYTES (plus multipart framing), normal uploads pass whole."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Message

from portal.api._limits import FRAMING_BYTES, SIGN_IN
from portal.services.accounts.auth import SESSION_COOKIE, sign_in
from portal.settings import get_settings
from tests.aio import run
from tests.api.reflex_standin import Seen, wrapped_backend
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.usefixtures("database")
LIMIT = 4096
CAP = LIMIT + FRAMING_BYTES
CHUNK = 64 * 1024
UPLOAD_HEADERS = {"Reflex-Client-Token": "any-token", "Reflex-Event-Handler": "state.upload"}


@pytest.fixture()
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_bytes", LIMIT)


@pytest.fixture()
def session_token() -> str:
    user = make_user(tenant=make_tenant())
    return sign_in(email=user.email, password=PASSWORD).token


class CountingBody:
    """A request body that yields chunks on demand and counts what the app consumed."""

    def __init__(self, total: int) -> None:
        self.consumed = 0
        sizes = [CHUNK] * (total // CHUNK) + ([total % CHUNK] if total % CHUNK else [])
        self.chunks: Iterator[int] = iter(sizes)

    async def receive(self) -> Message:
        size = next(self.chunks, None)
        if size is None:
            return {"type": "http.disconnect"}
        self.consumed += size
        return {"type": "http.request", "body": b"x" * size, "more_body": True}


def post_upload(app: ASGIApp, body: CountingBody, headers: list[tuple[bytes, bytes]]) -> list:
    """POST /_upload straight through ASGI; returns the messages the app sent."""
    sent: list[Message] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/_upload",
        "raw_path": b"/_upload",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }

    async def send(message: Message) -> None:
        sent.append(message)

    run(app(scope, body.receive, send))
    return sent


def status_of(sent: list[Message]) -> int:
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    return start["status"]


@pytest.mark.parametrize("cookie", [None, "not-a-session-token"])
def test_anonymous_upload_is_refused_before_any_byte_is_read(
    tmp_path: Path, cookie: str | None
) -> None:
    seen = Seen()
    body = CountingBody(200 * 1024**2)
    headers = [(b"content-length", str(200 * 1024**2).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in UPLOAD_HEADERS.items()]
    if cookie:
        headers.append((b"cookie", f"{SESSION_COOKIE}={cookie}".encode()))
    sent = post_upload(wrapped_backend(tmp_path, seen), body, headers)
    assert status_of(sent) == 401
    assert b"".join(m.get("body", b"") for m in sent) == SIGN_IN.encode()
    assert body.consumed == 0 and seen.body == b""


def test_declared_oversize_from_a_signed_in_session_is_413_before_reading(
    tmp_path: Path, small_limit: None, session_token: str
) -> None:
    seen = Seen()
    body = CountingBody(CAP + 1)
    headers = [
        (b"content-length", str(CAP + 1).encode()),
        (b"cookie", f"{SESSION_COOKIE}={session_token}".encode()),
    ]
    sent = post_upload(wrapped_backend(tmp_path, seen), body, headers)
    assert status_of(sent) == 413
    assert body.consumed == 0 and seen.body == b""


def test_undeclared_oversize_is_cut_at_the_limit_with_413(
    tmp_path: Path, small_limit: None, session_token: str, client_for
) -> None:
    seen = Seen()
    client = client_for(app=wrapped_backend(tmp_path, seen))
    client.cookies.set(SESSION_COOKIE, session_token)
    chunks = itertools.repeat(b"y" * CHUNK, CAP // CHUNK + 10)
    response = client.post("/_upload", content=chunks, headers=UPLOAD_HEADERS)
    assert response.status_code == 413
    assert response.text == f"The upload is larger than {LIMIT} bytes."
    assert seen.disconnected and len(seen.body) <= CAP


def test_bad_content_length_is_400(tmp_path: Path, session_token: str) -> None:
    seen = Seen()
    headers = [
        (b"content-length", b"12abc"),
        (b"cookie", f"{SESSION_COOKIE}={session_token}".encode()),
    ]
    sent = post_upload(wrapped_backend(tmp_path, seen), CountingBody(10), headers)
    assert status_of(sent) == 400 and seen.body == b""


def test_a_signed_in_upload_within_the_limit_passes_whole(
    tmp_path: Path, small_limit: None, session_token: str, client_for
) -> None:
    seen = Seen()
    client = client_for(app=wrapped_backend(tmp_path, seen))
    client.cookies.set(SESSION_COOKIE, session_token)
    video = bytes(range(256)) * 16  # LIMIT bytes exactly
    response = client.post(
        "/_upload", files={"files": ("cut.mp4", video, "video/mp4")}, headers=UPLOAD_HEADERS
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"bytes": len(seen.body)} and video in seen.body
    assert not seen.disconnected


def test_other_paths_are_not_guarded(tmp_path: Path, client_for) -> None:
    client = client_for(app=wrapped_backend(tmp_path, Seen()))
    assert client.get("/projects").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
