"""/api/tus/ with an upload request's grant (header Portal-Upload-Grant), over HTTP: a client
without an account sends files into that request's project only, within its kinds, size and
count, only while the link is live; refused content leaves nothing; members download the
client files (permission-checked, RLS)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.db import tenant_session
from portal.models import AuditLog, ClientFile, Notification, UploadRequest
from portal.services.sharing import upload_requests as ur
from tests.factories import Studio, make_studio
from tests.media_support import files_under

pytestmark = pytest.mark.usefixtures("database")

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n" + b"x" * 700
EXE = b"MZ\x90\x00" + bytes(900)


def meta(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def link(studio: Studio, **options) -> tuple[str, str]:
    """(request id, grant) for a new request of the studio's project."""
    with tenant_session(studio.member_ctx) as session:
        created = ur.create_upload_request(
            session=session,
            project_id=studio.project.id,
            created_by=studio.member.id,
            name="Logos",
            kinds=options.pop("kinds", ["images"]),
            **options,
        )
    opened = ur.open_request(
        token=created.url.rsplit("/", 1)[1], name="Cleo Client", email="cleo@client.test"
    )
    return created.id, opened.grant


def create(client: TestClient, grant: str, length: int, filename: str = "logo.png", **extra):
    headers = {**TUS, "Upload-Length": str(length), "Upload-Metadata": meta(filename=filename)}
    return client.post("/api/tus/", headers={**headers, ur.GRANT_HEADER: grant, **extra})


def patch(client: TestClient, grant: str, url: str, offset: int, data: bytes):
    headers = {**TUS, **OCTETS, "Upload-Offset": str(offset), ur.GRANT_HEADER: grant}
    return client.patch(url, content=data, headers=headers)


def expire(studio: Studio, request_id: str) -> None:
    with tenant_session(studio.member_ctx) as session:
        row = session.get(UploadRequest, UUID(request_id))
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)


def test_a_client_sends_a_file_that_members_download(studio: Studio, media_dir, client_for) -> None:
    request_id, grant = link(studio)
    client = client_for()
    created = create(client, grant, len(PNG))
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    half = patch(client, grant, url, 0, PNG[:600])
    assert half.status_code == 204 and half.headers["upload-offset"] == "600"
    assert (
        client.head(url, headers={**TUS, ur.GRANT_HEADER: grant}).headers["upload-offset"] == "600"
    )
    done = patch(client, grant, url, 600, PNG[600:])
    assert done.status_code == 204, done.text
    assert done.headers["upload-offset"] == str(len(PNG))
    with tenant_session(studio.member_ctx) as session:
        kept = session.scalars(select(ClientFile)).one()
        assert (kept.sender_name, kept.sender_email) == ("Cleo Client", "cleo@client.test")
        assert kept.kind == "images" and kept.filename == "logo.png"
        assert kept.project_id == studio.project.id
        assert str(kept.upload_request_id) == request_id
        notice = session.scalars(
            select(Notification).where(
                Notification.user_id == studio.member.id, Notification.type == "client_files"
            )
        ).one()
        assert "logo.png" in notice.payload["title"]
        audit = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == kept.id, AuditLog.action == "insert")
        ).one()
        assert audit.after["sender_email"] == "cleo@client.test"
    assert files_under(media_dir / "incoming") == []
    member = client_for(studio.member.email)
    got = member.get(f"/api/client-files/{kept.id}")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert client.get(f"/api/client-files/{kept.id}").status_code == 401
    stranger = client_for(make_studio().member.email)
    assert stranger.get(f"/api/client-files/{kept.id}").status_code == 404


def test_a_failure_while_keeping_the_file_leaves_nothing(
    studio: Studio, media_dir, client_for, monkeypatch
) -> None:
    """The file was moved into client-files, then the transaction failed (here: the notice):
    no row, no stored bytes, no upload left behind."""
    from portal.models import TusUpload
    from portal.services.sharing import client_files

    def broken(**_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(client_files, "fan_out", broken)
    _, grant = link(studio)
    client = client_for()
    created = create(client, grant, len(PNG))
    done = patch(client, grant, created.headers["location"], 0, PNG)
    assert done.status_code == 503 and "could not store" in done.text
    with tenant_session(studio.member_ctx) as session:
        assert session.scalars(select(ClientFile)).all() == []
        assert session.scalars(select(TusUpload)).all() == []
    assert files_under(client_files.client_dir(studio.agency.id)) == []
    assert files_under(media_dir / "incoming") == []


def test_disallowed_and_disguised_content_is_refused_and_nothing_kept(
    studio: Studio, media_dir, client_for
) -> None:
    _, grant = link(studio)
    client = client_for()
    for name, body in (("scan.pdf", PDF), ("photo.png", EXE), ("tiny.png", b"MZ")):
        created = create(client, grant, len(body), filename=name)
        assert created.status_code == 201, created.text
        refused = patch(client, grant, created.headers["location"], 0, body)
        assert refused.status_code == 400
        assert "not one of the kinds" in refused.text or "not a kind" in refused.text
        assert "images" in refused.text
        head = client.head(created.headers["location"], headers={**TUS, ur.GRANT_HEADER: grant})
        assert head.status_code == 404
    assert files_under(media_dir / "incoming") == []
    with tenant_session(studio.member_ctx) as session:
        assert session.scalars(select(ClientFile)).all() == []
    # Names with path tricks and empty files are refused at creation.
    assert create(client, grant, 10, filename="../../etc/passwd").status_code == 400
    assert "empty" in create(client, grant, 0).text


def test_count_and_size_limits(studio: Studio, media_dir, client_for) -> None:
    _, grant = link(studio, max_files="1", max_file_mb="0.001")
    client = client_for()
    too_big = create(client, grant, 5000)
    assert too_big.status_code == 413 and "larger than this link accepts" in too_big.text
    first = create(client, grant, 1000)
    assert first.status_code == 201
    second = create(client, grant, 1000)
    assert second.status_code == 400 and "at most 1 files" in second.text
    # Ending the upload in progress frees its place.
    client.delete(first.headers["location"], headers={**TUS, ur.GRANT_HEADER: grant})
    assert create(client, grant, 1000).status_code == 201


def test_expired_or_revoked_links_stop_uploads(studio: Studio, media_dir, client_for) -> None:
    request_id, grant = link(studio)
    client = client_for()
    created = create(client, grant, len(PNG))
    url = created.headers["location"]
    assert patch(client, grant, url, 0, PNG[:600]).status_code == 204
    expire(studio, request_id)
    assert patch(client, grant, url, 600, PNG[600:]).status_code == 403
    assert create(client, grant, len(PNG)).status_code == 403
    other_id, other_grant = link(studio)
    with tenant_session(studio.member_ctx) as session:
        ur.revoke_upload_request(session=session, request_id=other_id)
    refused = create(client, other_grant, len(PNG))
    assert refused.status_code == 403 and "not available" in refused.text
    with tenant_session(studio.member_ctx) as session:
        assert session.scalars(select(ClientFile)).all() == []


def test_no_other_project_no_other_upload(studio: Studio, media_dir, client_for) -> None:
    _, grant = link(studio)
    other = make_studio()
    client = client_for()
    # Metadata naming another project is ignored: the file goes to the request's project.
    headers = {
        **TUS,
        "Upload-Length": str(len(PNG)),
        "Upload-Metadata": meta(filename="x.png", project_id=str(other.project.id)),
        ur.GRANT_HEADER: grant,
    }
    created = client.post("/api/tus/", headers=headers)
    assert patch(client, grant, created.headers["location"], 0, PNG).status_code == 204
    with tenant_session(studio.member_ctx) as session:
        assert session.scalars(select(ClientFile)).one().project_id == studio.project.id
    with tenant_session(other.member_ctx) as session:
        assert session.scalars(select(ClientFile)).all() == []
    # A member's own upload is not reachable with a grant, nor a client's with a session.
    admin = client_for(studio.admin.email)
    own = admin.post(
        "/api/tus/",
        headers={
            **TUS,
            "Upload-Length": "100",
            "Upload-Metadata": ",".join(
                [meta(project_id=str(studio.project.id), title="Hero", filename="c.mp4")]
            ),
        },
    )
    assert own.status_code == 201
    assert (
        client.head(own.headers["location"], headers={**TUS, ur.GRANT_HEADER: grant}).status_code
        == 404
    )
    theirs = create(client, grant, len(PNG))
    assert admin.head(theirs.headers["location"], headers=TUS).status_code == 404
    # A forged or foreign grant is refused.
    assert create(client, grant[:-3] + "abc", 10).status_code == 403


def test_the_client_page_answers_with_the_links_status(studio: Studio, client_for) -> None:
    with tenant_session(studio.member_ctx) as session:
        created = ur.create_upload_request(
            session=session,
            project_id=studio.project.id,
            created_by=studio.member.id,
            name="Logos",
            kinds=["images"],
        )
    client = client_for()
    path = "/r/" + created.url.rsplit("/", 1)[1]
    live = client.get(path)
    assert live.status_code == 200
    assert live.headers["referrer-policy"] == "no-referrer"
    assert live.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in live.headers["content-security-policy"]
    with tenant_session(studio.member_ctx) as session:
        ur.revoke_upload_request(session=session, request_id=created.id)
    assert client.get(path).status_code == 404
    assert client.get("/r/" + "A" * 43).status_code == 404
    assert client.get("/r/short").status_code == 404
