"""Idempotency-Key on creates: the first request with a key claims it (an INSERT in the create's
own transaction) and stores its answer there; a repeat with the same key and the same body gets
that answer again, with another body a 422. Two concurrent requests with one key: the second's
INSERT waits for the first transaction, then finds the stored answer (or, if the first rolled
back, claims the key itself). Keys are per token, rows tenant-isolated by RLS (migration 0021)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import Session

from portal.services.core.errors import Conflict, InvalidInput

MAX_KEY = 200

_CLAIM = text(
    "INSERT INTO api_idempotency_keys (tenant_id, token_id, key, request_hash)"
    " VALUES (:tenant, :token, :key, :hash) ON CONFLICT (token_id, key) DO NOTHING"
    " RETURNING key"
)
_STORED = text(
    "SELECT request_hash, status_code, response FROM api_idempotency_keys"
    " WHERE token_id = :token AND key = :key"
)
_STORE = text(
    "UPDATE api_idempotency_keys SET status_code = :status, response = CAST(:response AS jsonb)"
    " WHERE token_id = :token AND key = :key"
)


class KeyReused(InvalidInput):
    user_message = "This Idempotency-Key was used with a different request."
    code = "idempotency_key_reused"


class KeyInProgress(Conflict):
    user_message = "A request with this Idempotency-Key has not finished. Try again shortly."
    code = "idempotency_in_progress"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        raise InvalidInput(f"An Idempotency-Key is 1 to {MAX_KEY} printable characters.")
    return key


def run_once(
    *,
    session: Session,
    tenant_id: UUID,
    token_id: UUID,
    key: str | None,
    fingerprint: str,
    create: Callable[[], tuple[int, dict[str, Any]]],
) -> Answer:
    """`create()` once per (token, key) in this transaction; without a key, simply `create()`."""
    if key is None:
        status, body = create()
        return Answer(status, body, replayed=False)
    params = {"tenant": tenant_id, "token": token_id, "key": check_key(key)}
    claimed = session.execute(_CLAIM, {**params, "hash": fingerprint}).first()
    if claimed is None:
        stored = session.execute(_STORED, params).one()
        if stored.request_hash != fingerprint:
            raise KeyReused()
        if stored.status_code is None:
            raise KeyInProgress()
        return Answer(stored.status_code, stored.response, replayed=True)
    status, body = create()
    session.execute(_STORE, {**params, "status": status, "response": json.dumps(body, default=str)})
    return Answer(status, body, replayed=False)
