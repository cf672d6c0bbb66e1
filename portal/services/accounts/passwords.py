"""Password and secret hashing: argon2 through pwdlib, SHA-256 for random tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from functools import lru_cache
from pathlib import Path

from pwdlib import PasswordHash

from portal.services.core.errors import InvalidInput
from portal.settings import get_settings

log = logging.getLogger(__name__)
_hasher = PasswordHash.recommended()
# Verified against when an email is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MAX_PASSWORD = 1024


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None, *, subject: str = "") -> bool:
    """Constant-work check: an absent hash still costs one verification."""
    return verify_and_upgrade(password, password_hash, subject=subject)[0]


def verify_and_upgrade(
    password: str, password_hash: str | None, *, subject: str = ""
) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one uses outdated parameters, else None).

    `subject` (e.g. "user <id>") only names the owner in the log when the stored hash is unreadable.
    """
    if not password_hash:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    try:
        return _hasher.verify_and_update(password, password_hash)
    except Exception as exc:  # an unreadable stored hash never signs anyone in
        log.warning(
            "stored password hash of %s is unreadable (scheme %r): %s: %s",
            subject or "an unnamed account",
            hash_scheme(password_hash),
            type(exc).__name__,
            exc,
        )
        return False, None


def hash_scheme(password_hash: str) -> str:
    """The hash's algorithm label (`$argon2id`), safe to log; never the salt or the digest."""
    label = password_hash.split("$")[1] if password_hash.startswith("$") else ""
    return f"${label}" if label.isalnum() and len(label) <= 16 else "unknown"


@lru_cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def check_password_policy(password: str, *, email: str = "", confirm: str | None = None) -> None:
    """Refuse weak passwords with a message that says what to change."""
    minimum = get_settings().password_min_length
    if confirm is not None and password != confirm:
        raise InvalidInput("The two passwords do not match.", code="mismatch")
    if len(password) < minimum:
        raise InvalidInput(f"Use at least {minimum} characters.", code="short")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Use at most {MAX_PASSWORD} characters.", code="long")
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) < 4:
        raise InvalidInput("That password is too common. Choose another.", code="common")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        raise InvalidInput("Don't use your email address in your password.", code="contains_email")


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()
