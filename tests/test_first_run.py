"""First run and `portal serve`: a random secret kept in the data dir (never a published
constant), loopback by default, and production refusing to start half-configured."""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat
import struct
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from portal.cli import build_parser, main, serve_command
from portal.services.core.errors import InvalidUnsubscribe
from portal.services.notifications.prefs import read_unsubscribe_token, unsubscribe_token
from portal.services.sharing.grants import make_grant, read_grant
from portal.settings import PUBLISHED_PLACEHOLDER, SECRET_FILE, Settings, get_settings


@pytest.fixture()
def fresh_dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Process settings as on a fresh checkout: no PORTAL_SECRET_KEY, an empty data dir."""
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged_grant(secret: str, link: uuid.UUID, tenant: uuid.UUID, asset: uuid.UUID) -> str:
    """A 10-year playback grant signed the way share_grants signs, under `secret`."""
    key = hmac.new(secret.encode(), b"share-playback-grant", hashlib.sha256).digest()
    expires = int(time.time()) + 10 * 365 * 86400
    body = _b64(struct.pack(">16s16s16sQ", link.bytes, tenant.bytes, asset.bytes, expires))
    return f"{body}.{_b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"


def forged_unsubscribe(secret: str, tenant: uuid.UUID, user: uuid.UUID) -> str:
    """An unsubscribe token signed the way notification_prefs signs, under `secret`."""
    message = f"v1.{tenant}.{user}.comment"
    key = hashlib.sha256(b"notification-unsubscribe:" + secret.encode()).digest()
    return f"{message}.{_b64(hmac.new(key, message.encode(), hashlib.sha256).digest())}"


def test_two_fresh_loads_make_then_reuse_one_private_random_secret(fresh_dev: Path) -> None:
    first = Settings(_env_file=None).portal_secret_key.get_secret_value()
    second = Settings(_env_file=None).portal_secret_key.get_secret_value()
    assert first == second
    assert len(first) >= 32 and first != PUBLISHED_PLACEHOLDER
    path = fresh_dev / SECRET_FILE
    assert path.read_text().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in fresh_dev.iterdir()] == [SECRET_FILE]
    other = Settings(_env_file=None, portal_data_dir=fresh_dev / "elsewhere")
    assert other.portal_secret_key.get_secret_value() != first


def test_an_unusable_secret_file_is_refused_with_its_path(fresh_dev: Path) -> None:
    (fresh_dev / SECRET_FILE).write_text("short\n")
    with pytest.raises(ValueError, match=f"{fresh_dev / SECRET_FILE} holds no usable secret"):
        Settings(_env_file=None)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_published_placeholder_is_refused_as_a_secret(env: str) -> None:
    with pytest.raises(ValidationError, match="PORTAL_SECRET_KEY is a published placeholder"):
        Settings(
            _env_file=None,
            portal_env=env,
            portal_url="https://portal.example",
            portal_secret_key=PUBLISHED_PLACEHOLDER,
        )


def test_tokens_signed_with_the_old_placeholder_do_not_verify(fresh_dev: Path) -> None:
    link, tenant, asset, user = (uuid.uuid4() for _ in range(4))
    current = get_settings().portal_secret_key.get_secret_value()
    # The forging code reproduces the real signatures: under the real secret it verifies.
    assert read_grant(forged_grant(current, link, tenant, asset)) is not None
    assert read_unsubscribe_token(forged_unsubscribe(current, tenant, user))[1] == user
    assert read_grant(forged_grant(PUBLISHED_PLACEHOLDER, link, tenant, asset)) is None
    with pytest.raises(InvalidUnsubscribe):
        read_unsubscribe_token(forged_unsubscribe(PUBLISHED_PLACEHOLDER, tenant, user))
    grant = make_grant(link_id=link, tenant_id=tenant, asset_id=asset)
    assert read_grant(grant) is not None
    token = unsubscribe_token(tenant_id=tenant, user_id=user, type_="comment")
    assert read_unsubscribe_token(token) == (tenant, user, "comment")


def test_serve_listens_on_loopback_unless_host_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HOST", raising=False)
    host = build_parser().parse_args(["serve"]).host
    assert host == "127.0.0.1"
    command = serve_command(3000, host)
    assert command[command.index("--backend-host") + 1] == "127.0.0.1"
    assert command[1:5] == ["run", "--env", "prod", "--single-port"]
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert build_parser().parse_args(["serve"]).host == "0.0.0.0"
    assert build_parser().parse_args(["serve", "--host", "10.0.0.5"]).host == "10.0.0.5"


def test_reflex_run_without_portal_serve_listens_on_loopback_too() -> None:
    import rxconfig

    assert rxconfig.config.backend_host == "127.0.0.1"


def test_serve_in_production_without_secret_or_url_stops_with_a_clear_message(
    fresh_dev: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTAL_ENV", "prod")
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "portal: the configuration is not usable:\n"
        "  - PORTAL_ENV=prod needs PORTAL_SECRET_KEY set to a random value of 32+ characters\n"
    )
    assert not (fresh_dev / SECRET_FILE).exists()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 40)
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as stopped:
        main(["serve"])
    assert stopped.value.code == 2
    assert "PORTAL_ENV=prod needs PORTAL_URL set to the portal's public URL" in (
        capsys.readouterr().err
    )
