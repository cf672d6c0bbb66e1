"""The client's address as the app sees it: the connection's peer, or, only behind a proxy the
operator controls (TRUST_PROXY_HEADERS), the first X-Forwarded-For hop."""

from __future__ import annotations

from portal.settings import get_settings

# An address is at most this long (an IPv6 address with a zone fits); the rest is dropped.
MAX_ADDRESS = 64


def client_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The address to throttle and count by: the X-Forwarded-For header's first hop when proxy
    headers are trusted and it names one, else `peer`."""
    if get_settings().trust_proxy_headers:
        forwarded = (forwarded_for or "").split(",")[0].strip()
        if forwarded:
            return forwarded[:MAX_ADDRESS]
    return peer
