"""An upload request's grant on a real HTTP server (granian, its own process): the tus
project's client (tuspy) sends a client's file in chunks into the request's project; over
HTTP a wrong kind, one file too many and an expired link are refused."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
import requests
from sqlalchemy import select
from tusclient.client import TusClient

from portal.db import tenant_session
from portal.models import ClientFile, UploadRequest
from portal.services.sharing import upload_requests as ur
from portal.services.sharing.client_files import stored_path
from tests.factories import Studio

from .test_tus_server import CHUNK, Server, server  # noqa: F401 (the fixture)

pytestmark = pytest.mark.usefixtures("database")


def grant_for(studio: Studio, **options) -> tuple[str, str]:
    with tenant_session(studio.member_ctx) as session:
        created = ur.create_upload_request(
            session=session,
            project_id=studio.project.id,
            created_by=studio.member.id,
            name="Stills",
            kinds=["images"],
            **options,
        )
    opened = ur.open_request(
        token=created.url.rsplit("/", 1)[1], name="Cleo Client", email="cleo@client.test"
    )
    return created.id, opened.grant


def post(at: Server, grant: str, length: int, name: str = "still.png") -> requests.Response:
    meta = f"filename {base64.b64encode(name.encode()).decode()}"
    headers = {
        "Tus-Resumable": "1.0.0",
        "Upload-Length": str(length),
        "Upload-Metadata": meta,
        ur.GRANT_HEADER: grant,
    }
    return requests.post(f"{at.base}/api/tus/", headers=headers, timeout=30)


def test_tuspy_sends_a_client_file_and_refusals_over_http(
    server: Server,  # noqa: F811
    studio: Studio,
    tmp_path: Path,
) -> None:
    request_id, grant = grant_for(studio, max_files="2")
    source = tmp_path / "still.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3 * CHUNK + 77))
    client = TusClient(f"{server.base}/api/tus/", headers={ur.GRANT_HEADER: grant})
    uploader = client.uploader(
        file_path=str(source),
        chunk_size=CHUNK,
        metadata={"filename": "still.png"},
        upload_checksum=True,
    )
    uploader.upload()
    with tenant_session(studio.member_ctx) as session:
        kept = session.scalars(select(ClientFile)).one()
    assert kept.project_id == studio.project.id and kept.sender_name == "Cleo Client"
    placed = stored_path(kept.tenant_id, kept.id).read_bytes()
    assert hashlib.sha256(placed).hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()

    # A PDF into an images-only link: refused as soon as its head arrives, nothing kept.
    created = post(server, grant, 600, "scan.png")
    assert created.status_code == 201
    refused = requests.patch(
        server.base + created.headers["location"],
        data=b"%PDF-1.7\n" + b"x" * 591,
        headers={
            "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
            ur.GRANT_HEADER: grant,
        },
        timeout=30,
    )
    assert refused.status_code == 400 and "not one of the kinds" in refused.text
    # Two files allowed: one kept, one in progress, the third refused.
    assert post(server, grant, 600).status_code == 201
    too_many = post(server, grant, 600)
    assert too_many.status_code == 400 and "at most 2 files" in too_many.text
    # Expired: refused at once.
    with tenant_session(studio.member_ctx) as session:
        row = session.get(UploadRequest, UUID(request_id))
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
    assert post(server, grant, 600).status_code == 403
