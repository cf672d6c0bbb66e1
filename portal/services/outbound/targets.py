"""Where a webhook may go: http(s) only, no credentials in the URL, and, unless an operator
allows it (OUTBOUND_WEBHOOK_ALLOW_PRIVATE), never the portal itself, loopback, private,
link-local or otherwise non-public addresses — checked when registered and again before each
attempt (a name may resolve elsewhere later)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from portal.services.core.errors import InvalidInput
from portal.settings import get_settings

MAX_URL = 2000


class RefusedTarget(InvalidInput):
    code = "webhook_target"


def check_url(url: str, *, resolve: bool = True) -> str:
    """The URL, or RefusedTarget saying why it cannot receive webhooks."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 33 for c in url):
        raise RefusedTarget("Enter the endpoint's full URL (https://…), at most 2000 characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("A webhook URL must start with https:// (or http://).")
    if parts.username or parts.password:
        raise RefusedTarget("Put no user name or password in a webhook URL.")
    settings = get_settings()
    if settings.outbound_webhook_allow_private:
        return url
    host = parts.hostname.lower().rstrip(".")
    own = (urlsplit(settings.portal_url).hostname or "").lower()
    if host == own or host == "localhost" or host.endswith(".localhost"):
        raise RefusedTarget("A webhook cannot be sent to the portal itself or to this machine.")
    if resolve:
        for address in _addresses(host, parts.port or (443 if parts.scheme == "https" else 80)):
            if not address.is_global:
                raise RefusedTarget(
                    "That address is private or local: webhooks go only to public addresses."
                )
    return url


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget("That host name does not resolve.") from None
    return [ipaddress.ip_address(info[4][0]) for info in infos]
