"""Webhook signature checks on the raw body: Mux (`Mux-Signature`) and Svix (Resend).

Both reject a missing or wrong signature and a timestamp more than five minutes away, and
compare digests in constant time. Nothing here logs a header, a secret or a body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

TOLERANCE_SECONDS = 300


class SignatureRejected(Exception):
    """The request is not provably from the sender (shown as 401, never with details)."""


def _check_timestamp(raw: str, now: float | None) -> int:
    try:
        timestamp = int(raw)
    except ValueError:
        raise SignatureRejected("bad timestamp") from None
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise SignatureRejected("timestamp outside tolerance")
    return timestamp


def _any_match(expected: bytes, candidates: list[bytes]) -> bool:
    # Compare against every candidate so timing does not reveal which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(expected, candidate)
    return matched


def verify_mux(body: bytes, header: str | None, secret: str, *, now: float | None = None) -> None:
    """Check `Mux-Signature: t=<unix>,v1=<hex>` (HMAC-SHA256 of "t.body")."""
    if not header or not secret:
        raise SignatureRejected("missing signature")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    if "t" not in parts or "v1" not in parts:
        raise SignatureRejected("malformed signature")
    timestamp = _check_timestamp(parts["t"][0], now)
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
    if not _any_match(expected, [v.strip().lower().encode() for v in parts["v1"]]):
        raise SignatureRejected("signature mismatch")


def _svix_key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRejected("unusable secret") from None


def verify_svix(
    body: bytes, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> str:
    """Check Svix headers (`svix-id`, `svix-timestamp`, `svix-signature`); returns svix-id."""
    msg_id = headers.get("svix-id") or ""
    raw_ts = headers.get("svix-timestamp") or ""
    signatures = headers.get("svix-signature") or ""
    if not (msg_id and raw_ts and signatures and secret):
        raise SignatureRejected("missing signature")
    if len(msg_id) > 255:
        raise SignatureRejected("bad id")
    timestamp = _check_timestamp(raw_ts, now)
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_svix_key(secret), signed, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    candidates = [
        entry.partition(",")[2].encode() for entry in signatures.split() if entry.startswith("v1,")
    ]
    if not _any_match(expected, candidates):
        raise SignatureRejected("signature mismatch")
    return msg_id


def mux_signature(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header Mux would send for `body` (used by local fakes, tests and the benchmark)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
