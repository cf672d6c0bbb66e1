"""A local HTTP server speaking the part of Mux's API the portal uses (direct uploads, their
cancel, and the upload URLs the browser PUTs the file to, with CORS and Content-Range chunks as
Mux takes them; retrieving an asset and adding a static rendition to it), the image API's
signed thumbnails (a plain JPEG of the asked width; the token checked like Mux does), plus an
RS256 signing key pair like the one Mux issues for signed playback."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

TOKEN_ID, TOKEN_SECRET = "mux-token-id", "mux-token-secret"


@dataclass
class FakeMux:
    url: str
    # "ok", "error" (HTTP 500) or "slow" (answers after the client's timeout)
    mode: str = "ok"
    requests: list[dict] = field(default_factory=list)
    public_key_pem: bytes = b""
    # Direct uploads: id -> {"cors_origin", "status", "bytes"} (the bytes the browser PUT).
    uploads: dict[str, dict] = field(default_factory=dict)
    # Assets: id -> their static renditions (dicts as Mux describes them); an id missing here
    # is a 404, as for an asset deleted on Mux.
    assets: dict[str, list[dict]] = field(default_factory=dict)
    # While set, the answer to an upload's last chunk waits until `release` is set.
    hold_last_chunk: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    # Thumbnails served: the verified claims of each token (time, width, sub).
    thumbnails: list[dict] = field(default_factory=list)
    # The colour of every thumbnail (a frame grab's background in reports).
    thumbnail_rgb: tuple[int, int, int] = (20, 40, 90)

    def received(self, upload_url: str) -> bytes:
        return bytes(self.uploads[upload_url.rsplit("/", 1)[-1]]["bytes"])


_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def _handler(fake: FakeMux) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers["content-length"] or 0)) or b"{}")
            expected = base64.b64encode(f"{TOKEN_ID}:{TOKEN_SECRET}".encode()).decode()
            fake.requests.append(
                {"path": self.path, "body": body, "auth": self.headers["authorization"]}
            )
            if self.headers["authorization"] != f"Basic {expected}":
                return self._send(401, {"error": {"type": "unauthorized"}})
            if fake.mode == "slow":
                time.sleep(1.5)
            if fake.mode == "error":
                return self._send(500, {"error": {"type": "internal"}})
            rendition = re.fullmatch(r"/video/v1/assets/([^/]+)/static-renditions", self.path)
            if rendition:
                return self._add_rendition(rendition.group(1), body)
            if self.path != "/video/v1/uploads":
                return self._send(404, {"error": {"type": "not_found"}})
            asset_settings = body.get("new_asset_settings") or {}
            if asset_settings.get("mp4_support") and asset_settings.get("static_renditions"):
                # Mux refuses both ways of asking for MP4s at once.
                return self._send(400, {"error": {"type": "invalid_parameters"}})
            upload_id = uuid.uuid4().hex
            fake.uploads[upload_id] = {
                "cors_origin": body.get("cors_origin"),
                "status": "waiting",
                "bytes": bytearray(),
            }
            return self._send(201, {"data": self._upload(upload_id, body.get("timeout", 3600))})

        def do_GET(self) -> None:  # noqa: N802
            """Retrieve an asset: its id, status and static renditions; or a thumbnail."""
            fake.requests.append({"path": self.path, "auth": self.headers["authorization"]})
            thumb = re.fullmatch(r"/([^/?]+)/thumbnail\.jpg\?token=([^&]+)", self.path)
            if thumb:
                return self._thumbnail(thumb.group(1), thumb.group(2))
            found = re.fullmatch(r"/video/v1/assets/([^/]+)", self.path)
            if not found or found.group(1) not in fake.assets:
                return self._send(404, {"error": {"type": "not_found"}})
            asset_id = found.group(1)
            files = fake.assets[asset_id]
            renditions = {"status": "preparing" if files else "disabled", "files": files}
            data = {"id": asset_id, "status": "ready", "static_renditions": renditions}
            return self._send(200, {"data": data})

        def _thumbnail(self, playback_id: str, token: str) -> None:
            """A signed thumbnail: the token must be Mux's kind (aud t) for this playback id;
            its `time` and `width` claims say which frame and how wide."""
            try:
                claims = jwt.decode(token, fake.public_key_pem, algorithms=["RS256"], audience="t")
            except jwt.PyJWTError:
                return self._send(403, {"error": {"type": "forbidden"}})
            if claims.get("sub") != playback_id:
                return self._send(403, {"error": {"type": "forbidden"}})
            if fake.mode == "error":
                return self._send(500, {"error": {"type": "internal"}})
            fake.thumbnails.append(claims)
            width = int(claims.get("width") or 640)
            picture = Image.new("RGB", (width, width * 9 // 16), fake.thumbnail_rgb)
            raw = io.BytesIO()
            picture.save(raw, "JPEG", quality=90)
            self.send_response(200)
            self.send_header("content-type", "image/jpeg")
            self.send_header("content-length", str(raw.tell()))
            self.end_headers()
            self.wfile.write(raw.getvalue())

        def _add_rendition(self, asset_id: str, body: dict) -> None:
            """Create a static rendition (Mux refuses a resolution the asset already has)."""
            files = fake.assets.get(asset_id)
            if files is None:
                return self._send(404, {"error": {"type": "not_found"}})
            resolution = body.get("resolution")
            if resolution != "highest" or any(f["resolution"] == resolution for f in files):
                return self._send(400, {"error": {"type": "invalid_parameters"}})
            made = {
                "id": uuid.uuid4().hex,
                "type": "standard",
                "ext": "mp4",
                "status": "preparing",
                "resolution": resolution,
                "name": "highest.mp4",
            }
            files.append(made)
            return self._send(201, {"data": made})

        def _upload(self, upload_id: str, timeout: int = 3600) -> dict:
            return {
                "id": upload_id,
                "url": f"{fake.url}/upload/{upload_id}",
                "status": fake.uploads[upload_id]["status"],
                "timeout": timeout,
                "cors_origin": fake.uploads[upload_id]["cors_origin"],
            }

        def _target(self) -> dict | None:
            match = re.fullmatch(r"/upload/([0-9a-f]+)", self.path)
            return fake.uploads.get(match.group(1)) if match else None

        def do_OPTIONS(self) -> None:  # noqa: N802
            """CORS preflight for the browser's PUT, allowed from the upload's cors_origin."""
            upload = self._target()
            if upload is None:
                return self._send(404, {})
            self.send_response(204)
            self._cors(upload)
            self.send_header("access-control-allow-methods", "PUT")
            self.send_header("access-control-allow-headers", "content-type, content-range")
            self.send_header("content-length", "0")
            self.end_headers()

        def do_PUT(self) -> None:  # noqa: N802
            cancel = re.fullmatch(r"/video/v1/uploads/([0-9a-f]+)/cancel", self.path)
            if cancel:
                fake.requests.append({"path": self.path, "auth": self.headers["authorization"]})
                upload_id = cancel.group(1)
                if fake.uploads.get(upload_id, {}).get("status") != "waiting":
                    return self._send(400, {"error": {"type": "invalid_parameters"}})
                fake.uploads[upload_id]["status"] = "cancelled"
                return self._send(200, {"data": self._upload(upload_id)})
            upload = self._target()
            data = self.rfile.read(int(self.headers["content-length"] or 0))
            if upload is None or upload["status"] != "waiting":
                return self._send(404, {"error": {"type": "not_found"}}, upload)
            found = _RANGE.fullmatch(self.headers.get("content-range") or "")
            start, end, total = map(int, found.groups()) if found else (0, len(data) - 1, len(data))
            if start != len(upload["bytes"]) or end - start + 1 != len(data):
                return self._send(400, {"error": {"type": "bad_range"}}, upload)
            upload["bytes"] += data
            if end + 1 < total:
                return self._send(308, {}, upload)  # Resume Incomplete: send the next chunk
            if fake.hold_last_chunk:
                fake.release.wait(30)
            upload["status"] = "asset_created"
            return self._send(200, {}, upload)

        def _cors(self, upload: dict | None) -> None:
            if upload and upload.get("cors_origin"):
                self.send_header("access-control-allow-origin", upload["cors_origin"])

        def _send(self, status: int, payload: dict, upload: dict | None = None) -> None:
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self._cors(upload)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            try:
                self.wfile.write(raw)
            except BrokenPipeError:
                pass  # the client gave up (the timeout test)

    return Handler


@contextmanager
def running_fake_mux() -> Iterator[tuple[FakeMux, dict[str, str]]]:
    """The fake server and the MUX_* settings (API URL, tokens, signing key) pointing at it."""
    fake = FakeMux(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    fake.public_key_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    env = {
        "MUX_API_URL": fake.url,
        "MUX_IMAGE_URL": fake.url,
        "MUX_TOKEN_ID": TOKEN_ID,
        "MUX_TOKEN_SECRET": TOKEN_SECRET,
        "MUX_WEBHOOK_SECRET": "mux-test-webhook-secret",
        "MUX_SIGNING_KEY_ID": "signing-key-1",
        "MUX_SIGNING_KEY": base64.b64encode(private_pem).decode(),
        "MUX_TIMEOUT_SECONDS": "0.5",
    }
    try:
        yield fake, env
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
