"""A local HTTP server speaking the part of Mux's API the portal uses (direct uploads), plus an
RS256 signing key pair like the one Mux issues for signed playback."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from portal.settings import get_settings

TOKEN_ID, TOKEN_SECRET = "mux-token-id", "mux-token-secret"


@dataclass
class FakeMux:
    url: str
    # "ok", "error" (HTTP 500) or "slow" (answers after the client's timeout)
    mode: str = "ok"
    requests: list[dict] = field(default_factory=list)
    public_key_pem: bytes = b""


def _handler(fake: FakeMux) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["content-length"] or 0)) or b"{}")
            expected = base64.b64encode(f"{TOKEN_ID}:{TOKEN_SECRET}".encode()).decode()
            fake.requests.append(
                {"path": self.path, "body": body, "auth": self.headers["authorization"]}
            )
            if self.headers["authorization"] != f"Basic {expected}":
                return self._send(401, {"error": {"type": "unauthorized"}})
            if fake.mode == "slow":
                time.sleep(1.5)
            if fake.mode == "error":
                return self._send(500, {"error": {"type": "internal"}})
            if self.path != "/video/v1/uploads":
                return self._send(404, {"error": {"type": "not_found"}})
            upload_id = uuid.uuid4().hex
            data = {
                "id": upload_id,
                "url": f"{fake.url}/upload/{upload_id}",
                "status": "waiting",
                "timeout": body.get("timeout", 3600),
                "cors_origin": body.get("cors_origin"),
            }
            return self._send(201, {"data": data})

        def _send(self, status: int, payload: dict) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            try:
                self.wfile.write(raw)
            except BrokenPipeError:
                pass  # the client gave up (the timeout test)

    return Handler


@pytest.fixture()
def fake_mux(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMux]:
    """The fake server, with MUX_* settings (API URL, tokens, signing key) pointed at it."""
    fake = FakeMux(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    fake.public_key_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for name, value in {
        "MUX_API_URL": fake.url,
        "MUX_TOKEN_ID": TOKEN_ID,
        "MUX_TOKEN_SECRET": TOKEN_SECRET,
        "MUX_WEBHOOK_SECRET": "mux-test-webhook-secret",
        "MUX_SIGNING_KEY_ID": "signing-key-1",
        "MUX_SIGNING_KEY": base64.b64encode(private_pem).decode(),
        "MUX_TIMEOUT_SECONDS": "0.5",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield fake
    server.shutdown()
    server.server_close()
    monkeypatch.undo()
    get_settings.cache_clear()
