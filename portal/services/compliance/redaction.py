"""Personal data and secrets kept out of stored webhook events and admin screens.

Resend events name the recipient, sender and subject of an email; processing needs only the
event type, its time and `data.email_id` (which finds the notification). The stored copy keeps
those, the bounce classification and masked addresses (`p•••@harbourco.test`), nothing else.
Mux events carry no personal data (`passthrough` is our asset id) and are stored as sent.
"""

from __future__ import annotations

import re
from typing import Any

# local part (first character kept) @ domain
EMAIL = re.compile(r"([\w%+-])[\w.%+-]*@([\w-]+(?:\.[\w-]+)+)")
MASK = "•••"
RESEND_TOP = ("type", "created_at")
RESEND_DATA = ("email_id", "created_at", "broadcast_id")
RESEND_ADDRESSES = ("to", "from", "cc", "bcc", "reply_to")
BOUNCE_KEYS = ("type", "subType")
MAX_KEPT = 255
# Keys whose values admin screens never show (job metadata, stored webhook payloads).
SECRET_KEY = re.compile(r"secret|token|password|passcode|signature|authori[sz]ation|api_?key", re.I)
REDACTED = "[redacted]"


def mask_emails(text: str) -> str:
    """Every email address in `text` shown as its first character and domain."""
    return EMAIL.sub(rf"\1{MASK}@\2", text)


def redact(value: Any) -> Any:
    """A copy of a JSON value for admin screens: anything secret-looking replaced and email
    addresses masked (rows stored before payloads were reduced still hold them)."""
    if isinstance(value, dict):
        return {k: REDACTED if SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return mask_emails(value) if isinstance(value, str) else value


def mask_value(value: Any) -> Any:
    """A copy of a JSON value with email addresses masked in every string."""
    if isinstance(value, str):
        return mask_emails(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    return value


def _short(value: Any) -> Any:
    return value[:MAX_KEPT] if isinstance(value, str) else value


def _resend_data(data: dict[str, Any]) -> dict[str, Any]:
    kept = {k: _short(data[k]) for k in RESEND_DATA if k in data}
    kept |= {k: mask_value(data[k]) for k in RESEND_ADDRESSES if k in data}
    bounce = data.get("bounce")
    if isinstance(bounce, dict):
        kept["bounce"] = {k: _short(bounce[k]) for k in BOUNCE_KEYS if k in bounce}
    return kept


def stored_payload(source: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a webhook payload: Resend's reduced to what processing needs."""
    if "body" in payload and len(payload) == 1:
        return {"body": mask_emails(str(payload["body"]))}  # an unparsable delivery, kept dead
    if source != "resend":
        return payload
    kept = {k: _short(payload[k]) for k in RESEND_TOP if k in payload}
    data = payload.get("data")
    if isinstance(data, dict):
        kept["data"] = _resend_data(data)
    elif "data" in payload:
        kept["data"] = None
    return kept
