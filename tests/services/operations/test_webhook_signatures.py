"""Signature vectors: only genuinely signed, fresh, unaltered bodies pass (Svix vectors come
from the svix package's own signer and are checked by its verifier, on the real clock; Mux's
come from our signer and from the vector Mux's own SDKs test against)."""

from __future__ import annotations

import json
import time

import pytest
from svix.webhooks import Webhook

from portal.integrations.webhook_signatures import SignatureRejected, verify_mux, verify_svix
from tests.webhook_support import MUX_SECRET, RESEND_SECRET, mux_request, resend_request

BODY = {"type": "email.delivered", "data": {"email_id": "e1"}, "created_at": "2026-01-01T00:00:00Z"}
# The Mux verifier's clock in the vector tests: "stale" and "future" do not depend on how long
# the test takes between signing and checking.
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z
# Mux's documented vector: the body, secret and header its SDKs (mux-node, mux-ruby,
# mux-elixir) verify, "generated from Mux's backend code" at MUX_DOC_TIME.
MUX_DOC_BODY = b'{"test":"body"}'
MUX_DOC_SECRET = "SuperSecret123"
MUX_DOC_TIME = 1_565_125_718
MUX_DOC_HEADER = "t=1565125718,v1=854ece4c22acef7c66b57d4e504153bc512595e8e9c772ece2a68150548c19a7"


def test_svix_valid_vector_passes_ours_and_svix_own_verifier() -> None:
    body, headers = resend_request(BODY, msg_id="msg_1")
    assert verify_svix(body, headers, RESEND_SECRET) == "msg_1"
    Webhook(RESEND_SECRET).verify(body, headers)


def test_svix_several_v1_entries_with_one_valid() -> None:
    body, headers = resend_request(BODY)
    headers["svix-signature"] = f"v1,AAAA v2,zzzz {headers['svix-signature']} v1,bm9wZQ=="
    assert verify_svix(body, headers, RESEND_SECRET)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered", "signature mismatch"),
        ("wrong_secret", "signature mismatch"),
        ("stale", "timestamp outside tolerance"),
        ("future", "timestamp outside tolerance"),
        ("missing", "missing signature"),
        ("reserialised", "signature mismatch"),
        ("no_v1", "signature mismatch"),
    ],
)
def test_svix_bad_vectors_are_rejected(case: str, reason: str) -> None:
    # svix checks the timestamp on the real clock, which only moves on: a vector 301 s old stays
    # stale; one an hour ahead stays in the future however long the check takes.
    now = int(time.time())
    body, headers = resend_request(BODY, at=now)
    if case == "tampered":
        body = body.replace(b"e1", b"e2")
    elif case == "wrong_secret":
        body, headers = resend_request(BODY, secret="whsec_" + "b3RoZXItc2VjcmV0LWJ5dGVz", at=now)
    elif case == "stale":
        body, headers = resend_request(BODY, at=now - 301)
    elif case == "future":
        body, headers = resend_request(BODY, at=now + 3600)
    elif case == "missing":
        del headers["svix-signature"]
    elif case == "reserialised":
        body = json.dumps(json.loads(body), indent=2).encode()
    elif case == "no_v1":
        headers["svix-signature"] = headers["svix-signature"].replace("v1,", "v2,")
    with pytest.raises(SignatureRejected, match=f"^{reason}$"):
        verify_svix(body, headers, RESEND_SECRET)


def test_svix_deliveries_within_the_five_minutes_pass() -> None:
    # The future edge holds exactly (the clock moves towards it); the past one is checked four
    # minutes back, since the clock moves away from it while the test runs.
    now = int(time.time())
    for at in (now - 240, now + 300):
        body, headers = resend_request(BODY, msg_id="msg_edge", at=at)
        assert verify_svix(body, headers, RESEND_SECRET) == "msg_edge"


def test_svix_unusable_secret_and_long_id_are_rejected() -> None:
    body, headers = resend_request(BODY)
    with pytest.raises(SignatureRejected, match="^unusable secret$"):
        verify_svix(body, headers, "whsec_")
    body, headers = resend_request(BODY, msg_id="m" * 256)
    with pytest.raises(SignatureRejected, match="^bad id$"):
        verify_svix(body, headers, RESEND_SECRET)


def test_mux_documented_vector() -> None:
    assert verify_mux(MUX_DOC_BODY, MUX_DOC_HEADER, MUX_DOC_SECRET, now=MUX_DOC_TIME) is None
    with pytest.raises(SignatureRejected, match="^signature mismatch$"):
        verify_mux(MUX_DOC_BODY + b" ", MUX_DOC_HEADER, MUX_DOC_SECRET, now=MUX_DOC_TIME)
    with pytest.raises(SignatureRejected, match="^timestamp outside tolerance$"):
        verify_mux(MUX_DOC_BODY, MUX_DOC_HEADER, MUX_DOC_SECRET, now=MUX_DOC_TIME + 301)


def test_mux_valid_and_several_v1_entries() -> None:
    body, headers = mux_request({"id": "evt", "type": "video.asset.ready"}, at=NOW)
    assert verify_mux(body, headers["mux-signature"], MUX_SECRET, now=NOW) is None
    t, v1 = headers["mux-signature"].split(",")
    decoy = f"v1={'0' * 64}"
    assert verify_mux(body, f"{t},{decoy},{v1}", MUX_SECRET, now=NOW) is None
    # The valid entry is what passed: without it the same header is refused.
    with pytest.raises(SignatureRejected, match="^signature mismatch$"):
        verify_mux(body, f"{t},{decoy}", MUX_SECRET, now=NOW)
    # The same vector checked five minutes and a second later is refused as stale.
    with pytest.raises(SignatureRejected, match="^timestamp outside tolerance$"):
        verify_mux(body, headers["mux-signature"], MUX_SECRET, now=NOW + 301)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered", "signature mismatch"),
        ("wrong_secret", "signature mismatch"),
        ("stale", "timestamp outside tolerance"),
        ("future", "timestamp outside tolerance"),
        ("missing", "missing signature"),
        ("reserialised", "signature mismatch"),
        ("garbage", "bad timestamp"),
        ("no_timestamp", "malformed signature"),
    ],
)
def test_mux_bad_vectors_are_rejected(case: str, reason: str) -> None:
    payload = {"id": "evt", "type": "video.asset.ready", "data": {"id": "a"}}
    body, headers = mux_request(payload, at=NOW)
    header: str | None = headers["mux-signature"]
    if case == "tampered":
        body = body.replace(b'"a"', b'"b"')
    elif case == "wrong_secret":
        header = mux_request(payload, secret="another-secret", at=NOW)[1]["mux-signature"]
    elif case == "stale":
        header = mux_request(payload, at=NOW - 301)[1]["mux-signature"]
    elif case == "future":
        header = mux_request(payload, at=NOW + 301)[1]["mux-signature"]
    elif case == "missing":
        header = None
    elif case == "reserialised":
        body = json.dumps(json.loads(body), separators=(",", ":")).encode()
    elif case == "garbage":
        header = "t=abc,v1=xyz"
    elif case == "no_timestamp":
        header = header.split(",")[1]
    with pytest.raises(SignatureRejected, match=f"^{reason}$"):
        verify_mux(body, header, MUX_SECRET, now=NOW)
