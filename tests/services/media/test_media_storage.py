"""UploadWriter and the upload stream: bytes and checksum exact whatever the chunking."""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from portal.services.core.errors import InvalidInput
from portal.services.media.assets import accept_upload
from portal.services.media.storage import UploadWriter, write_stream
from tests.aio import run
from tests.media_support import files_under, store

HEADER = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12


async def chunked(data: bytes, rng: random.Random) -> AsyncIterator[bytes]:
    """The body in irregular chunks (empty ones too), as a server may deliver it."""
    at = 0
    while at < len(data):
        size = rng.choice([0, 1, 7, 4096, 65536, 417792, 3 * 1024 * 1024])
        yield data[at : at + size]
        at += size


def test_a_streamed_upload_is_written_and_hashed_exactly(media_dir: Path) -> None:
    data = HEADER + os.urandom(20 * 1024 * 1024 + 123)
    with UploadWriter("clip.mp4") as writer:
        run(write_stream(writer, chunked(data, random.Random(5))))
        stored = writer.finish()
    assert stored.size == len(data) and stored.path.read_bytes() == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_a_stream_over_the_limit_leaves_no_file(media_dir: Path) -> None:
    data = HEADER + os.urandom(12 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="larger than the limit"):
        with UploadWriter("clip.mp4", max_bytes=10 * 1024 * 1024) as writer:
            run(write_stream(writer, chunked(data, random.Random(6))))
    assert files_under(media_dir) == []


def test_chunks_given_one_by_one_still_sniff_the_header(media_dir: Path) -> None:
    with UploadWriter("clip.mp4") as writer:
        for byte in HEADER:
            writer.write(bytes([byte]))
        writer.write([b"x" * 1000, b"", b"y" * 300_000])
        stored = writer.finish()
    assert stored.size == len(HEADER) + 301_000
    assert stored.path.read_bytes()[: len(HEADER)] == HEADER


def test_an_upload_over_2_gb_is_recorded_with_its_size(studio, clips, media_dir) -> None:
    # The bytes are a small clip; the size is what a 2 GB+ file reports (a 64-bit column).
    stored = replace(store(clips["with_audio.mp4"]), size=2**31 + 24)
    asset = accept_upload(
        ctx=studio.admin_ctx, project_id=studio.project.id, title="Big", stored=stored
    )
    assert asset.size_bytes == 2**31 + 24
