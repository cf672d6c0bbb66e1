"""Signature vectors: only genuinely signed, fresh, unaltered bodies pass (Svix vectors come
from the svix package's own signer)."""

from __future__ import annotations

import json
import time

import pytest
from svix.webhooks import Webhook

from portal.services.webhook_signatures import SignatureRejected, verify_mux, verify_svix
from tests.webhook_support import MUX_SECRET, RESEND_SECRET, mux_request, resend_request

BODY = {"type": "email.delivered", "data": {"email_id": "e1"}, "created_at": "2026-01-01T00:00:00Z"}


def test_svix_valid_vector_passes_ours_and_svix_own_verifier() -> None:
    body, headers = resend_request(BODY, msg_id="msg_1")
    assert verify_svix(body, headers, RESEND_SECRET) == "msg_1"
    Webhook(RESEND_SECRET).verify(body, headers)


def test_svix_several_v1_entries_with_one_valid() -> None:
    body, headers = resend_request(BODY)
    headers["svix-signature"] = f"v1,AAAA v2,zzzz {headers['svix-signature']} v1,bm9wZQ=="
    assert verify_svix(body, headers, RESEND_SECRET)


@pytest.mark.parametrize(
    "case", ["tampered", "wrong_secret", "stale", "future", "missing", "reserialised", "no_v1"]
)
def test_svix_bad_vectors_are_rejected(case: str) -> None:
    body, headers = resend_request(BODY)
    if case == "tampered":
        body = body.replace(b"e1", b"e2")
    elif case == "wrong_secret":
        body, headers = resend_request(BODY, secret="whsec_" + "b3RoZXItc2VjcmV0LWJ5dGVz")
    elif case == "stale":
        body, headers = resend_request(BODY, at=time.time() - 301)
    elif case == "future":
        body, headers = resend_request(BODY, at=time.time() + 301)
    elif case == "missing":
        del headers["svix-signature"]
    elif case == "reserialised":
        body = json.dumps(json.loads(body), indent=2).encode()
    elif case == "no_v1":
        headers["svix-signature"] = headers["svix-signature"].replace("v1,", "v2,")
    with pytest.raises(SignatureRejected):
        verify_svix(body, headers, RESEND_SECRET)


def test_mux_valid_and_several_v1_entries() -> None:
    body, headers = mux_request({"id": "evt", "type": "video.asset.ready"})
    verify_mux(body, headers["mux-signature"], MUX_SECRET)
    t, v1 = headers["mux-signature"].split(",")
    verify_mux(body, f"{t},v1={'0' * 64},{v1}", MUX_SECRET)


@pytest.mark.parametrize(
    "case", ["tampered", "wrong_secret", "stale", "missing", "reserialised", "garbage"]
)
def test_mux_bad_vectors_are_rejected(case: str) -> None:
    payload = {"id": "evt", "type": "video.asset.ready", "data": {"id": "a"}}
    body, headers = mux_request(payload)
    header: str | None = headers["mux-signature"]
    if case == "tampered":
        body = body.replace(b'"a"', b'"b"')
    elif case == "wrong_secret":
        body, headers = mux_request(payload, secret="another-secret")
        header = headers["mux-signature"]
    elif case == "stale":
        body, headers = mux_request(payload, at=int(time.time()) - 301)
        header = headers["mux-signature"]
    elif case == "missing":
        header = None
    elif case == "reserialised":
        body = json.dumps(json.loads(body), separators=(",", ":")).encode()
    elif case == "garbage":
        header = "t=abc,v1=xyz"
    with pytest.raises(SignatureRejected):
        verify_mux(body, header, MUX_SECRET)
