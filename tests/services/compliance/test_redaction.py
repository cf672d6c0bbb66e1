"""Personal data kept out of stored webhook payloads: what is masked, dropped and kept."""

from __future__ import annotations

from portal.services.compliance.redaction import mask_emails, stored_payload


def test_addresses_keep_their_first_character_and_domain() -> None:
    assert mask_emails("to pat.lee@harbourco.test, Jo <j@x.co.uk>") == (
        "to p•••@harbourco.test, Jo <j•••@x.co.uk>"
    )
    assert mask_emails("no address @ here, 12@ or a@b") == "no address @ here, 12@ or a@b"


def test_resend_keeps_what_processing_needs_only() -> None:
    sent = {
        "type": "email.clicked",
        "created_at": "2026-12-03T10:00:00Z",
        "data": {
            "email_id": "re_1",
            "to": "pat@harbourco.test",
            "cc": ["x@y.test"],
            "subject": "Hello Pat",
            "tags": {"user": "pat"},
            "click": {"ipAddress": "203.0.113.9", "userAgent": "Firefox"},
        },
        "extra": "dropped",
    }
    assert stored_payload("resend", sent) == {
        "type": "email.clicked",
        "created_at": "2026-12-03T10:00:00Z",
        "data": {"email_id": "re_1", "to": "p•••@harbourco.test", "cc": ["x•••@y.test"]},
    }
    assert stored_payload("resend", {"type": "email.sent", "data": "x"}) == {
        "type": "email.sent",
        "data": None,
    }


def test_mux_is_stored_as_sent_and_unparsable_bodies_are_masked() -> None:
    mux = {"type": "video.asset.ready", "data": {"id": "m", "passthrough": "0190-asset"}}
    assert stored_payload("mux", mux) is mux
    assert stored_payload("resend", {"body": "<to>pat@harbourco.test</to>"}) == {
        "body": "<to>p•••@harbourco.test</to>"
    }
