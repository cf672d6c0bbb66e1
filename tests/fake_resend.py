"""A local HTTP server speaking the part of Resend's API the portal uses: POST /emails with a
bearer key and an `Idempotency-Key` header. Like Resend, a repeat of a key with the same body
gets the first answer back and sends nothing; the same key with another body gets 409."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "re_test_key"


@dataclass
class FakeResend:
    url: str
    # Every POST as received: {"path", "key", "auth", "body"}.
    requests: list[dict] = field(default_factory=list)
    # Idempotency key (or a fresh id) -> (message id, body): what was actually sent.
    sent: dict[str, tuple[str, dict]] = field(default_factory=dict)
    # Answers for the next requests, in order: "ok", "500" (nothing sent), "lost" (sent, then
    # 500 as if the answer never arrived), or an HTTP status like "422" (refused).
    script: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def messages(self) -> list[dict]:
        """The emails that went out, oldest first."""
        return [body for _, body in self.sent.values()]

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if m["to"] == [address]]


def _error(status: int, name: str) -> dict:
    return {"statusCode": status, "name": name, "message": f"fake Resend: {name}"}


def _answer(fake: FakeResend, key: str, body: dict) -> tuple[int, dict]:
    """What Resend would answer, recording the email when it goes out."""
    mode = fake.script.pop(0) if fake.script else "ok"
    if mode == "500":
        return 500, _error(500, "application_error")
    if mode.isdigit():
        return int(mode), _error(int(mode), "validation_error")
    if key and key in fake.sent:
        message_id, first = fake.sent[key]
        if first != body:
            return 409, _error(409, "invalid_idempotent_request")
        return 200, {"id": message_id}
    message_id = f"re_{uuid.uuid4().hex[:16]}"
    fake.sent[key or message_id] = (message_id, body)
    if mode == "lost":
        return 500, _error(500, "application_error")
    return 200, {"id": message_id}


def _handler(fake: FakeResend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["content-length"] or 0)) or b"{}")
            key = self.headers.get("idempotency-key") or ""
            auth = self.headers.get("authorization")
            with fake.lock:
                fake.requests.append({"path": self.path, "key": key, "auth": auth, "body": body})
                if auth != f"Bearer {API_KEY}":
                    status, payload = 401, _error(401, "invalid_api_key")
                elif self.path != "/emails":
                    status, payload = 404, _error(404, "not_found")
                else:
                    status, payload = _answer(fake, key, body)
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


@contextmanager
def running_fake_resend() -> Iterator[tuple[FakeResend, dict[str, str]]]:
    """The fake server and the RESEND_* settings pointing at it."""
    fake = FakeResend(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield fake, {"RESEND_API_KEY": API_KEY, "RESEND_API_URL": fake.url}
    finally:
        server.shutdown()
        server.server_close()
