"""The Mux backend: direct uploads (mux-python, `Configuration.host` from settings so tests use a
local fake) and signed playback tokens (RS256 JWTs minted per view, short-lived).

Tokens are never stored or logged; the media route mints one per request after its access
check and redirects the player to Mux with it. Every new asset also gets an MP4 static
rendition (`highest.mp4`) for share-link downloads; a signed URL's modifiers (here `download`,
the attachment's name) go in the token's claims, as Mux takes them for signed playback.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import jwt
import mux_python
from mux_python.rest import ApiException
from urllib3.exceptions import HTTPError

from portal.settings import get_settings

STREAM_HOST = "https://stream.mux.com"
IMAGE_HOST = "https://image.mux.com"
# JWT audiences Mux defines: v = video playback (HLS and MP4), t = thumbnail.
AUDIENCE = {"video": "v", "thumbnail": "t"}
# The static rendition asked for at upload: one MP4 at the asset's highest resolution.
DOWNLOAD_RESOLUTION = "highest"
DOWNLOAD_FILE = f"{DOWNLOAD_RESOLUTION}.mp4"
# A download token is used by the redirect it is minted for: the browser follows it at once.
DOWNLOAD_TTL_SECONDS = 120


class MuxError(Exception):
    """Mux refused or did not answer; the message is safe to show."""


@dataclass(frozen=True)
class DirectUpload:
    upload_id: str
    url: str  # where the browser PUTs the file


def _client() -> mux_python.ApiClient:
    settings = get_settings()
    config = mux_python.Configuration(host=settings.mux_api_url.rstrip("/"))
    config.username = settings.mux_token_id
    secret = settings.mux_token_secret
    config.password = secret.get_secret_value() if secret else ""
    return mux_python.ApiClient(config)


def create_direct_upload(*, asset_id: str, cors_origin: str) -> DirectUpload:
    """Ask Mux for a one-off upload URL; the new Mux asset carries our id as passthrough, plays
    only with signed tokens and gets a downloadable MP4 static rendition."""
    settings = get_settings()
    request = mux_python.CreateUploadRequest(
        cors_origin=cors_origin,
        timeout=3600,
        new_asset_settings=mux_python.CreateAssetRequest(
            playback_policy=[mux_python.PlaybackPolicy.SIGNED],
            passthrough=asset_id,
            video_quality="plus",
            static_renditions=[
                mux_python.CreateStaticRenditionRequest(resolution=DOWNLOAD_RESOLUTION)
            ],
        ),
    )
    try:
        with _client() as client:
            api = mux_python.DirectUploadsApi(client)
            response = api.create_direct_upload(
                request, _request_timeout=settings.mux_timeout_seconds
            )
    except ApiException as exc:
        raise MuxError(f"Mux refused the upload (HTTP {exc.status}). Please try again.") from None
    except (HTTPError, OSError):
        raise MuxError("Mux did not answer in time. Please try again.") from None
    data = response.data
    if not data or not data.id or not data.url:
        raise MuxError("Mux answered without an upload URL. Please try again.")
    return DirectUpload(upload_id=data.id, url=data.url)


def cancel_direct_upload(upload_id: str) -> None:
    """Close a direct upload's URL (Mux answers 4xx when it already finished or timed out)."""
    settings = get_settings()
    try:
        with _client() as client:
            mux_python.DirectUploadsApi(client).cancel_direct_upload(
                upload_id, _request_timeout=settings.mux_timeout_seconds
            )
    except ApiException as exc:
        raise MuxError(f"Mux refused to cancel the upload (HTTP {exc.status}).") from None
    except (HTTPError, OSError):
        raise MuxError("Mux did not answer in time.") from None


def _is_download(rendition: object) -> bool:
    return (
        getattr(rendition, "resolution", None) == DOWNLOAD_RESOLUTION
        or getattr(rendition, "name", None) == DOWNLOAD_FILE
    )


def download_rendition_status(mux_asset_id: str) -> str | None:
    """The status Mux gives the asset's `highest.mp4` (ready, preparing, skipped, errored), or
    None when it was never asked for (a version uploaded before uploads requested it)."""
    settings = get_settings()
    try:
        with _client() as client:
            response = mux_python.AssetsApi(client).get_asset(
                mux_asset_id, _request_timeout=settings.mux_timeout_seconds
            )
    except ApiException as exc:
        raise MuxError(f"Mux refused to describe the asset (HTTP {exc.status}).") from None
    except (HTTPError, OSError):
        raise MuxError("Mux did not answer in time.") from None
    renditions = response.data.static_renditions if response.data else None
    files = (renditions.files if renditions else None) or []
    return next((f.status or "preparing" for f in files if _is_download(f)), None)


def request_download_rendition(mux_asset_id: str) -> str:
    """Ask Mux to make the asset's `highest.mp4` static rendition; its status (preparing)."""
    settings = get_settings()
    request = mux_python.CreateStaticRenditionRequest(resolution=DOWNLOAD_RESOLUTION)
    try:
        with _client() as client:
            response = mux_python.AssetsApi(client).create_asset_static_rendition(
                mux_asset_id, request, _request_timeout=settings.mux_timeout_seconds
            )
    except ApiException as exc:
        raise MuxError(f"Mux refused the MP4 rendition (HTTP {exc.status}).") from None
    except (HTTPError, OSError):
        raise MuxError("Mux did not answer in time.") from None
    return (response.data.status if response.data else None) or "preparing"


def _signing_key() -> tuple[str, bytes]:
    settings = get_settings()
    if not settings.mux_signing_key_id or not settings.mux_signing_key:
        raise MuxError("Signed playback is not configured (MUX_SIGNING_KEY_ID/MUX_SIGNING_KEY).")
    raw = settings.mux_signing_key.get_secret_value().strip()
    try:
        pem = raw.encode() if raw.startswith("-----BEGIN") else base64.b64decode(raw)
    except ValueError:
        raise MuxError("The Mux signing key could not be read (MUX_SIGNING_KEY).") from None
    return settings.mux_signing_key_id, pem


def playback_token(
    playback_id: str, *, kind: str = "video", ttl: int | None = None, modifiers: dict | None = None
) -> str:
    """A short-lived RS256 token for one playback id (Mux's signed playback policy); playback
    modifiers ride in its claims."""
    key_id, pem = _signing_key()
    now = int(time.time())
    claims = {
        **(modifiers or {}),
        "sub": playback_id,
        "aud": AUDIENCE[kind],
        "exp": now + (ttl or get_settings().mux_token_ttl_seconds),
        "kid": key_id,
    }
    try:
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": key_id})
    except (ValueError, TypeError, jwt.PyJWTError):
        raise MuxError("The Mux signing key could not be read (MUX_SIGNING_KEY).") from None


def signed_stream_url(playback_id: str) -> str:
    token = playback_token(playback_id)
    return f"{STREAM_HOST}/{quote(playback_id)}.m3u8?token={token}"


def signed_thumbnail_url(playback_id: str) -> str:
    token = playback_token(playback_id, kind="thumbnail")
    return f"{IMAGE_HOST}/{quote(playback_id)}/thumbnail.jpg?token={token}"


def signed_download_url(playback_id: str, *, filename: str) -> str:
    """The MP4 static rendition, saved by the browser as `filename` (Mux's `download`
    modifier, which a signed URL carries in its token)."""
    ttl = min(DOWNLOAD_TTL_SECONDS, get_settings().mux_token_ttl_seconds)
    token = playback_token(playback_id, ttl=ttl, modifiers={"download": filename})
    return f"{STREAM_HOST}/{quote(playback_id)}/{DOWNLOAD_FILE}?token={token}"


def thumbnail(playback_id: str, *, seconds: float, width: int) -> bytes:
    """A JPEG of the frame at `seconds`, `width` pixels wide, fetched by the server from Mux's
    image API (the time and width ride in the signed token's claims, as Mux takes them)."""
    settings = get_settings()
    modifiers = {"time": round(max(0.0, seconds), 3), "width": width}
    token = playback_token(playback_id, kind="thumbnail", ttl=60, modifiers=modifiers)
    url = f"{settings.mux_image_url.rstrip('/')}/{quote(playback_id)}/thumbnail.jpg"
    try:
        response = httpx.get(url, params={"token": token}, timeout=settings.mux_timeout_seconds)
    except httpx.HTTPError:
        raise MuxError("Mux did not answer in time.") from None
    if response.status_code != 200 or not response.content:
        raise MuxError(f"Mux refused the thumbnail (HTTP {response.status_code}).")
    return response.content
