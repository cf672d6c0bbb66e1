"""One settings object for the whole portal, read once from the environment (and `.env`)."""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# The placeholder an earlier release signed with when PORTAL_SECRET_KEY was unset: it is public,
# so it is refused as a secret everywhere.
PUBLISHED_PLACEHOLDER = "dev-only-insecure-secret-change-me"
SECRET_FILE = "secret_key"
MIN_SECRET_CHARS = 32


def normalise_database_url(url: str) -> str:
    """Turn `postgres://` / `postgresql://` URLs into SQLAlchemy's psycopg 3 form."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def first_run_secret(data_dir: Path) -> str:
    """The development secret kept in `<data_dir>/secret_key` (0600), made on first use."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked in: concurrent first runs (several
        # workers, a test and its server) all end up reading the one file that won.
        draft = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"{path} holds no usable secret: delete it to make a new one")
    return secret


def _default_secret(data: dict) -> SecretStr:
    """Development: the first-run secret; production: none (PORTAL_SECRET_KEY is required)."""
    if data.get("portal_env") == "prod":
        return SecretStr("")
    return SecretStr(first_run_secret(data.get("portal_data_dir") or ROOT / ".portal"))


def _served_url(data: dict) -> str:
    """Development's public URL: this machine at the port being served."""
    return f"http://localhost:{data.get('portal_port', 3000)}"


class Settings(BaseSettings):
    """Everything configurable, validated at boot; secrets stay `SecretStr`."""

    # Errors never echo their input: it holds every secret read from the environment.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    # "prod" refuses to start without PORTAL_SECRET_KEY and PORTAL_URL set explicitly.
    portal_env: Literal["dev", "prod"] = "dev"
    # The port the app is served on (`portal serve --port` sets it for the server it starts).
    portal_port: int = Field(default=3000, ge=1, le=65535)
    # The public URL every link in an email or a share is built from; unset (development):
    # the address being served, http://localhost:<PORTAL_PORT>.
    portal_url: str = Field(default_factory=_served_url)
    portal_data_dir: Path = ROOT / ".portal"
    # Signing key; unset in development: a random one made on first run in portal_data_dir.
    portal_secret_key: SecretStr = Field(default_factory=_default_secret)
    portal_timezone: str = "Australia/Sydney"
    # Local hour (in portal_timezone) after which the daily notification digest goes out.
    notification_digest_hour: int = Field(default=7, ge=0, le=23)

    # Owner (migration) connection; unset means the embedded PostgreSQL under portal_data_dir.
    database_url: str | None = None
    # Runtime connection: a role that owns nothing (NOBYPASSRLS); derived from database_url.
    app_database_url: str | None = None
    # The runtime role over a direct (unpooled) connection, for what needs LISTEN: the live
    # bell's listener and the job workers. Neon: the URL without `-pooler`. Unset: app URL.
    app_direct_database_url: str | None = None
    app_db_role: str = "portal_app"
    app_db_password: SecretStr | None = None
    # Backups and restore drills: a role that reads every row (superuser or BYPASSRLS, e.g.
    # Neon's owner role); unset means DATABASE_URL (the embedded server's superuser by default).
    backup_database_url: str | None = None
    # Database name used inside the embedded server.
    embedded_db_name: str = "portal"

    session_absolute_hours: int = Field(default=24 * 7, ge=1)
    session_idle_minutes: int = Field(default=60 * 12, ge=5)
    magic_link_minutes: int = Field(default=15, ge=1)
    password_reset_minutes: int = Field(default=30, ge=1)
    invite_days: int = Field(default=7, ge=1)
    password_min_length: int = Field(default=12, ge=8)
    # Sign-in throttling: failures allowed per window, per account and per client address.
    throttle_window_minutes: int = Field(default=15, ge=1)
    throttle_max_per_account: int = Field(default=5, ge=1)
    throttle_max_per_ip: int = Field(default=20, ge=1)
    # Share links: default and longest lifetime (days), and how long a playback grant on the
    # client page lives (each media request also re-checks that the link is still live).
    share_link_default_days: int = Field(default=14, ge=1)
    share_link_max_days: int = Field(default=90, ge=1)
    share_playback_ttl_seconds: int = Field(default=1800, ge=60, le=86400)
    # Wrong passcodes allowed per client address in the throttle window.
    share_passcode_max_attempts: int = Field(default=5, ge=1)
    # Wrong passcodes allowed per link from all addresses (high: one stranger cannot lock it).
    share_passcode_max_per_link: int = Field(default=50, ge=1)
    # Take the client address from X-Forwarded-For (only behind a proxy you control).
    trust_proxy_headers: bool = False

    mux_token_id: str | None = None
    mux_token_secret: SecretStr | None = None
    mux_webhook_secret: SecretStr | None = None
    # Mux's API (tests point it at a local fake) and the signing key for playback tokens
    # (Mux gives the private key base64-encoded PEM); tokens live this many seconds.
    mux_api_url: str = "https://api.mux.com"
    # Mux's image API, read by the server for review reports' frame grabs (tests: the fake).
    mux_image_url: str = "https://image.mux.com"
    mux_signing_key_id: str | None = None
    mux_signing_key: SecretStr | None = None
    mux_token_ttl_seconds: int = Field(default=600, ge=30, le=86400)
    mux_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Browser-to-Mux direct uploads go in PUTs of this many bytes (Content-Range, as Mux's
    # UpChunk does; Mux wants multiples of 256 KiB).
    mux_upload_chunk_bytes: int = Field(default=32 * 1024**2, ge=256 * 1024, le=512 * 1024**2)
    resend_api_key: SecretStr | None = None
    resend_webhook_secret: SecretStr | None = None
    resend_from: str = "Motion Mavericks <portal@motionmavericks.test>"
    resend_api_url: str = "https://api.resend.com"
    # How email leaves: "resend" (needs RESEND_API_KEY) or "outbox" (kept in the mail_outbox
    # table: development, or a closed deployment); unset: Resend when RESEND_API_KEY is set,
    # else the outbox. PORTAL_ENV=prod refuses to start with neither.
    mail_backend: Literal["resend", "outbox"] | None = None

    # Webhook bodies above this many bytes are refused with 413.
    webhook_max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # A failing webhook event is retried with backoff, then marked dead after this many attempts.
    webhook_max_attempts: int = Field(default=8, ge=1)
    # REST API (/api/v1): calls per personal access token per minute (429 with Retry-After above).
    api_rate_limit_per_minute: int = Field(default=600, ge=1)
    # Outbound webhooks: attempts per delivery (exponential backoff between them), consecutive
    # failed deliveries before an endpoint is disabled, and whether targets may be loopback or
    # private addresses (an operator's choice for an internal receiver; off: no SSRF).
    outbound_webhook_max_attempts: int = Field(default=6, ge=1, le=20)
    outbound_webhook_disable_after: int = Field(default=20, ge=1)
    outbound_webhook_allow_private: bool = False
    # Uploaded and processed media (never served as a directory: /api/media checks access).
    media_dir: Path | None = None
    # Largest upload accepted, in bytes (checked on the server while the bytes arrive).
    upload_max_bytes: int = Field(default=5 * 1024**3, ge=1024)
    # File name endings accepted for video uploads (the content is sniffed as well).
    upload_extensions: str = ".mp4,.mov,.m4v,.mkv,.webm,.avi,.mxf,.mpg,.mpeg,.ts"
    # A resumable (tus) upload not finished this many hours after its last received bytes
    # expires; the periodic sweep deletes its partial file.
    tus_expiry_hours: int = Field(default=24, ge=1, le=24 * 30)
    # An asset still uploading or processing this many minutes after its last change, with no
    # live job, is re-queued once (local processing) or marked errored by the stuck sweep.
    asset_stuck_minutes: int = Field(default=60, ge=1)
    # Seconds a single ffmpeg step may run before processing gives up.
    ffmpeg_timeout_seconds: int = Field(default=3600, ge=10)
    # The font drawtext burns share-link watermarks with (Debian's fonts-dejavu-core; when the
    # file is missing, ffmpeg's fontconfig picks a sans font).
    watermark_font: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    # Run a job worker inside each app process; false when `portal worker` processes do the work.
    portal_inprocess_worker: bool = True
    # Operator bearer token: /healthz details (worker ids, heartbeat) and the X-Portal-Worker
    # header only for requests with `Authorization: Bearer <token>`; unset: never by token.
    healthz_token: SecretStr | None = None
    # Reflex state in Redis (redis://, rediss:// or unix://): required for several backend
    # workers (GRANIAN_WORKERS > 1, or several hosts); unset keeps state in process memory.
    redis_url: str | None = None
    # Backend worker processes per app host (Reflex reads the same variable); unset: Reflex's
    # default (1 without Redis, 2 × CPUs + 1 with it).
    granian_workers: int | None = Field(default=None, ge=1)

    @field_validator(
        "database_url", "app_database_url", "app_direct_database_url", "backup_database_url"
    )
    @classmethod
    def _normalise(cls, value: str | None) -> str | None:
        return normalise_database_url(value) if value else None

    @field_validator("mux_upload_chunk_bytes")
    @classmethod
    def _whole_chunks(cls, value: int) -> int:
        if value % (256 * 1024):
            raise ValueError("MUX_UPLOAD_CHUNK_BYTES must be a multiple of 256 KiB (262144)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value or None

    @field_validator("app_db_role")
    @classmethod
    def _plain_identifier(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
            raise ValueError("APP_DB_ROLE must be a lower-case SQL identifier")
        return value

    @field_validator("portal_secret_key")
    @classmethod
    def _not_the_published_placeholder(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() == PUBLISHED_PLACEHOLDER:
            raise ValueError("PORTAL_SECRET_KEY is a published placeholder: set a random value")
        return value

    @model_validator(mode="after")
    def _production_is_configured(self) -> Settings:
        if self.portal_env != "prod":
            return self
        if len(self.portal_secret_key.get_secret_value()) < MIN_SECRET_CHARS:
            raise ValueError(
                "PORTAL_ENV=prod needs PORTAL_SECRET_KEY set to a random value of 32+ characters"
            )
        if "portal_url" not in self.model_fields_set:
            raise ValueError("PORTAL_ENV=prod needs PORTAL_URL set to the portal's public URL")
        return self

    @model_validator(mode="after")
    def _mail_backend_chosen(self) -> Settings:
        if self.mail_backend == "resend" and not self.resend_api_key:
            raise ValueError("MAIL_BACKEND=resend needs RESEND_API_KEY")
        if self.portal_env == "prod" and not (self.resend_api_key or self.mail_backend):
            raise ValueError(
                "PORTAL_ENV=prod needs a mail backend: set RESEND_API_KEY"
                " (or MAIL_BACKEND=outbox for a closed deployment)"
            )
        return self

    @model_validator(mode="after")
    def _shared_state_for_several_workers(self) -> Settings:
        # Each worker would keep its own copy of every tab's state: events would see stale state.
        if (self.granian_workers or 1) > 1 and not self.redis_url:
            raise ValueError("GRANIAN_WORKERS > 1 needs REDIS_URL (state shared between workers)")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Cookies get the Secure flag whenever the portal is served over https."""
        return self.portal_url.startswith("https://")

    @property
    def mux_configured(self) -> bool:
        return bool(self.mux_token_id and self.mux_token_secret and self.mux_webhook_secret)

    @property
    def media_root(self) -> Path:
        return self.media_dir or self.portal_data_dir / "media"

    @property
    def allowed_extensions(self) -> tuple[str, ...]:
        return tuple(e.strip().lower() for e in self.upload_extensions.split(",") if e.strip())

    @property
    def resend_configured(self) -> bool:
        return self.mail_backend != "outbox" and bool(self.resend_api_key)

    def integration_status(self) -> dict[str, str]:
        """Human-readable status of each integration, without revealing any secret."""
        return {
            "mux": "configured" if self.mux_configured else "not configured (local media backend)",
            "resend": "configured" if self.resend_configured else "not configured (local outbox)",
        }


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests call `get_settings.cache_clear()` after changing env)."""
    return Settings()
