"""Standard Webhooks signatures (https://www.standardwebhooks.com): `whsec_<base64 key>`
secrets, `webhook-id` / `webhook-timestamp` / `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`; and the secret's encryption at rest with the portal's key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken

from portal.settings import get_settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "MotionMavericksPortal-Webhooks/1",
    }


def _fernet() -> Fernet:
    key = hashlib.sha256(
        b"outbound-webhook-secret:" + get_settings().portal_secret_key.get_secret_value().encode()
    ).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken as exc:  # the portal's secret key changed since the endpoint was made
        raise ValueError(
            "the endpoint's secret cannot be read with this PORTAL_SECRET_KEY"
        ) from exc
