"""Resend through its SDK: the one way an email leaves the portal.

Every send carries an idempotency key (Resend answers a repeat of the key with the first
message instead of sending again), so a job retried after a lost answer never sends twice.
The SDK is pointed at `RESEND_API_URL` (tests run a local fake there).
"""

from __future__ import annotations

import resend
from resend.exceptions import ResendError

from portal.settings import get_settings

# Answers worth trying again: timeout, idempotency conflict (a parallel request), rate limit.
RETRYABLE = (408, 409, 429)
TIMEOUT_SECONDS = 15

resend.default_http_client = resend.RequestsClient(timeout=TIMEOUT_SECONDS)


class PermanentSendError(RuntimeError):
    """The provider refused the email for good (bad address, ...): retrying cannot help."""


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for a notification or digest."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _status(error: ResendError) -> int:
    code = str(error.code)
    return int(code) if code.isdigit() else 500


def send(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    idempotency_key: str,
    headers: dict[str, str] | None = None,
) -> str:
    """Send one email; returns Resend's message id. PermanentSendError when refused for good."""
    settings = get_settings()
    resend.api_key = settings.resend_api_key.get_secret_value() if settings.resend_api_key else ""
    resend.api_url = settings.resend_api_url.rstrip("/")
    params: resend.Emails.SendParams = {
        "from": settings.resend_from,
        "to": [to],
        "subject": subject,
        "text": text,
        "html": html,
    }
    if headers:
        params["headers"] = headers
    try:
        response = resend.Emails.send(params, {"idempotency_key": idempotency_key[:256]})
    except ResendError as exc:
        status = _status(exc)
        if 400 <= status < 500 and status not in RETRYABLE:
            raise PermanentSendError(f"Resend refused the email (HTTP {status})") from exc
        raise
    return str(response["id"])[:255]
