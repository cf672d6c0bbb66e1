"""The event websocket accepts only the app's own origin (CORS restricted, cookies sent with it)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest


def handshake_status(app_url: str, origin: str) -> int:
    """Status of a websocket upgrade to Reflex's event endpoint sent with `origin`."""
    parts = urlsplit(app_url)
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nOrigin: {origin}\r\nConnection: Upgrade\r\n"
        "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(request.encode())
        status_line = sock.recv(200).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("{app}", True),
        ("https://evil.example", False),
        ("http://localhost.evil.example", False),
        ("null", False),
    ],
)
def test_event_socket_origin(app_url: str, origin: str, allowed: bool) -> None:
    status = handshake_status(app_url, origin.format(app=app_url))
    assert status == (101 if allowed else 403)
