"""Webhook signature checks on the raw body: Mux (`Mux-Signature`) and Svix (Resend).

Both reject a missing or wrong signature and a timestamp more than five minutes away. Svix's
check is the svix library's own; Mux's SDK has no verifier, so that one is written here (tested
against the vector Mux's SDKs use) and compares digests in constant time. Nothing here logs a
header, a secret or a body.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from svix.webhooks import Webhook, WebhookVerificationError

TOLERANCE_SECONDS = 300
SVIX_HEADERS = ("svix-id", "svix-timestamp", "svix-signature")


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


# What svix's verifier says, as our reasons (anything else is a mismatch).
_SVIX_REASONS = {
    "Invalid Signature Headers": "bad timestamp",
    "Message timestamp too old": "timestamp outside tolerance",
    "Message timestamp too new": "timestamp outside tolerance",
}


def verify_svix(body: bytes, headers: Mapping[str, str], secret: str) -> str:
    """Check Svix headers (`svix-id`, `svix-timestamp`, `svix-signature`) with the svix
    library's verifier (five minutes' tolerance on its own clock); returns svix-id."""
    wanted = {name: headers.get(name) or "" for name in SVIX_HEADERS}
    if not (all(wanted.values()) and secret):
        raise SignatureRejected("missing signature")
    if len(wanted["svix-id"]) > 255:
        raise SignatureRejected("bad id")
    try:
        webhook = Webhook(secret)
    except Exception:  # not base64, or empty once decoded: no sender could sign with it
        raise SignatureRejected("unusable secret") from None
    try:
        webhook.verify(body, wanted)
    except WebhookVerificationError as exc:
        raise SignatureRejected(_SVIX_REASONS.get(str(exc), "signature mismatch")) from None
    return wanted["svix-id"]


def mux_signature(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The header Mux would send for `body` (used by local fakes, tests and the benchmark)."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"
