"""Upload requests, service side: create (token hashed, passcode argon2, URL once), list,
revoke, the client's opening (live link, passcode), grants re-checked against the database,
sniffing by content, and tenant isolation (RLS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select

from portal.db import tenant_session
from portal.models import AuditLog, ClientFile, UploadRequest
from portal.services.accounts.passwords import token_hash
from portal.services.core.errors import (
    InvalidInput,
    LinkUnavailable,
    PasscodeRequired,
    WrongPasscode,
)
from portal.services.sharing import upload_requests as ur
from portal.services.sharing.client_files import list_client_files, sniff_kind
from tests.factories import Studio, make_studio

pytestmark = pytest.mark.usefixtures("database")


def new_request(studio: Studio, **options) -> ur.NewUploadRequest:
    with tenant_session(studio.member_ctx) as session:
        return ur.create_upload_request(
            session=session,
            project_id=studio.project.id,
            created_by=studio.member.id,
            name=options.pop("name", "Rushes from the shoot"),
            kinds=options.pop("kinds", ["images", "documents"]),
            **options,
        )


def token(created: ur.NewUploadRequest) -> str:
    return created.url.rsplit("/", 1)[1]


def test_create_stores_only_hashes_and_audits(studio: Studio) -> None:
    created = new_request(studio, passcode="open sesame", message="Send the logos, please.")
    assert "/r/" in created.url and len(token(created)) == 43
    with tenant_session(studio.member_ctx) as session:
        row = session.get(UploadRequest, UUID(created.id))
        assert row is not None and row.hashed_token == token_hash(token(created))
        assert row.passcode_hash and row.passcode_hash.startswith("$argon2")
        assert row.kinds == ["images", "documents"] and row.max_files == ur.DEFAULT_MAX_FILES
        audit = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == row.id, AuditLog.action == "insert")
        ).one()
    assert "hashed_token" not in audit.after and "passcode_hash" not in audit.after
    assert token(created) not in str(audit.after)
    with tenant_session(studio.member_ctx) as session:
        listed = ur.list_upload_requests(session=session, project_id=studio.project.id)
    assert [r.name for r in listed] == ["Rushes from the shoot"]
    assert listed[0].status_label == "Active" and listed[0].kinds == "Images, Documents"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kinds": []}, "at least one kind"),
        ({"kinds": ["executables"]}, "at least one kind"),
        ({"name": ""}, "Name"),
        ({"max_files": "0"}, "number of files"),
        ({"max_file_mb": "lots"}, "maximum file size"),
        ({"expires_in_days": "999"}, "Expiry"),
        ({"passcode": "ab"}, "passcode"),
    ],
)
def test_bad_input_is_refused_clearly(studio: Studio, options: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        new_request(studio, **options)
    with tenant_session(studio.member_ctx) as session:
        assert session.scalars(select(UploadRequest)).all() == []


def test_open_needs_a_live_link_and_the_passcode(studio: Studio) -> None:
    created = new_request(studio, passcode="open sesame")
    page = ur.client_page(token=token(created))
    assert page.passcode_required and page.kinds == "images, documents"
    with pytest.raises(PasscodeRequired):
        ur.open_request(token=token(created), name="Cleo Client", email="cleo@client.test")
    with pytest.raises(WrongPasscode):
        ur.open_request(
            token=token(created), name="Cleo", email="cleo@client.test", passcode="nope nope"
        )
    with pytest.raises(InvalidInput, match="email"):
        ur.open_request(
            token=token(created), name="Cleo", email="not-an-email", passcode="open sesame"
        )
    opened = ur.open_request(
        token=token(created), name="Cleo Client", email="cleo@client.test", passcode="open sesame"
    )
    grant = ur.live_grant(opened.grant)
    assert grant is not None and grant.project_id == studio.project.id
    assert grant.sender_email == "cleo@client.test"
    # A tampered grant is nothing.
    assert ur.live_grant(opened.grant[:-2] + "xx") is None
    assert ur.live_grant("garbage") is None
    # Revoked: the page, the opening and the grant already handed out all refuse.
    with tenant_session(studio.member_ctx) as session:
        ur.revoke_upload_request(session=session, request_id=created.id)
    for attempt in (
        lambda: ur.client_page(token=token(created)),
        lambda: ur.open_request(
            token=token(created), name="C", email="c@client.test", passcode="open sesame"
        ),
    ):
        with pytest.raises(LinkUnavailable):
            attempt()
    assert ur.live_grant(opened.grant) is None


def test_an_expired_link_is_refused(studio: Studio) -> None:
    created = new_request(studio)
    opened = ur.open_request(token=token(created), name="Cleo", email="cleo@client.test")
    assert ur.live_grant(opened.grant) is not None
    with tenant_session(studio.member_ctx) as session:
        row = session.get(UploadRequest, UUID(created.id))
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(row)
    assert ur.live_grant(opened.grant) is None
    with pytest.raises(LinkUnavailable):
        ur.client_page(token=token(created))
    with tenant_session(studio.member_ctx) as session:
        assert (
            ur.list_upload_requests(session=session, project_id=studio.project.id)[0].status
            == "expired"
        )
    with pytest.raises(LinkUnavailable):
        ur.client_page(token="x" * 43)
    with pytest.raises(LinkUnavailable):
        ur.client_page(token="../../etc")


def test_other_tenant_sees_nothing(studio: Studio) -> None:
    created = new_request(studio)
    other = make_studio()
    with tenant_session(other.member_ctx) as session:
        assert session.scalars(select(UploadRequest)).all() == []
        assert session.scalars(select(ClientFile)).all() == []
        assert ur.list_upload_requests(session=session, project_id=studio.project.id) == []
        assert list_client_files(session=session, project_id=studio.project.id) == []
        with pytest.raises(Exception, match="not available"):
            ur.revoke_upload_request(session=session, request_id=created.id)
        with pytest.raises(Exception, match="not available"):
            ur.create_upload_request(
                session=session,
                project_id=studio.project.id,
                created_by=other.member.id,
                name="Sneaky",
                kinds=["images"],
            )
    with tenant_session(None) as session:
        assert session.scalars(select(UploadRequest)).all() == []


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "images"),
        (b"\xff\xd8\xff\xe0" + bytes(40), "images"),
        (b"%PDF-1.7\n" + bytes(40), "documents"),
        (b"PK\x03\x04" + bytes(26) + b"[Content_Types].xml", "documents"),
        (b"PK\x03\x04" + bytes(26) + b"notes.txt", "archives"),
        (b"\x1f\x8b\x08" + bytes(40), "archives"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio"),
        (b"ID3\x03" + bytes(40), "audio"),
        (b"\x00\x00\x00\x18ftypmp42" + bytes(40), "video"),
        (b"MZ\x90\x00" + bytes(60), None),  # a Windows executable, whatever its name
        (b"#!/bin/sh\nrm -rf /\n", None),
        (b"", None),
    ],
)
def test_sniffing_by_content(head: bytes, kind: str | None) -> None:
    assert sniff_kind(head) == kind


def _client_file(studio: Studio, media_dir) -> ClientFile:
    from portal.services.core.rows import insert_row
    from portal.services.sharing.client_files import stored_path

    with tenant_session(studio.member_ctx) as session:
        row = insert_row(
            session,
            ClientFile(
                tenant_id=studio.agency.id,
                project_id=studio.project.id,
                sender_name="Cleo",
                sender_email="cleo@client.test",
                filename="logo.png",
                kind="images",
                size_bytes=4,
                sha256="0" * 64,
            ),
        )
    path = stored_path(row.tenant_id, row.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG")
    return row


def test_retention_per_tenant(studio: Studio, media_dir) -> None:
    from portal.services.accounts.tenants import update_tenant
    from portal.services.sharing.client_files import purge_client_files, stored_path
    from tests.factories import session_of

    keeper = make_studio()
    mine, theirs = _client_file(studio, media_dir), _client_file(keeper, media_dir)
    admin = session_of(studio.admin)
    with pytest.raises(InvalidInput, match="1 to 3650 days"):
        update_tenant(
            user=admin,
            tenant_id=str(studio.agency.id),
            name=studio.agency.name,
            residency_policy=studio.agency.residency_policy,
            accent_color="#3a86ff",
            client_file_retention="0",
        )
    update_tenant(
        user=admin,
        tenant_id=str(studio.agency.id),
        name=studio.agency.name,
        residency_policy=studio.agency.residency_policy,
        accent_color="#3a86ff",
        client_file_retention="30",
    )
    assert purge_client_files()["deleted"] == 0  # not 30 days old yet
    later = datetime.now(UTC) + timedelta(days=31)
    assert purge_client_files(now=later)["deleted"] >= 1
    with tenant_session(studio.member_ctx) as session:
        assert session.get(ClientFile, mine.id) is None
        audit = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == mine.id, AuditLog.action == "delete")
        ).one()
        assert audit.before["filename"] == "logo.png"
    assert not stored_path(mine.tenant_id, mine.id).exists()
    # A tenant without a period keeps its files.
    with tenant_session(keeper.member_ctx) as session:
        assert session.get(ClientFile, theirs.id) is not None
    assert stored_path(theirs.tenant_id, theirs.id).exists()
