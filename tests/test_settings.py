"""Settings: URL normalisation, integrations status, refusal of placeholder secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from portal.settings import Settings


def test_database_urls_are_normalised_for_psycopg3() -> None:
    settings = Settings(database_url="postgres://u:p@db.example:5432/portal?sslmode=require")
    assert (
        settings.database_url == "postgresql+psycopg://u:p@db.example:5432/portal?sslmode=require"
    )


def test_integrations_not_configured_without_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MUX_TOKEN_ID", "MUX_TOKEN_SECRET", "MUX_WEBHOOK_SECRET", "RESEND_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    status = Settings(_env_file=None).integration_status()
    assert status == {
        "mux": "not configured (local media backend)",
        "resend": "not configured (local outbox)",
    }


def test_configured_integrations_never_show_their_secrets() -> None:
    settings = Settings(
        _env_file=None,
        mux_token_id="id",
        mux_token_secret="mux-secret-value",
        mux_webhook_secret="whsec-value",
        resend_api_key="re_secret_value",
    )
    assert settings.mux_configured and settings.resend_configured
    assert settings.integration_status() == {"mux": "configured", "resend": "configured"}
    assert "mux-secret-value" not in repr(settings) and "re_secret_value" not in repr(settings)


def test_production_needs_a_long_secret_and_an_explicit_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PORTAL_SECRET_KEY", "PORTAL_URL"):
        monkeypatch.delenv(name, raising=False)
    url = "https://portal.example"
    needs_secret = "PORTAL_ENV=prod needs PORTAL_SECRET_KEY set to a random value of 32\\+"
    with pytest.raises(ValidationError, match=needs_secret):
        Settings(_env_file=None, portal_env="prod", portal_url=url)
    with pytest.raises(ValidationError, match=needs_secret):
        Settings(_env_file=None, portal_env="prod", portal_url=url, portal_secret_key="x" * 31)
    with pytest.raises(ValidationError, match="PORTAL_ENV=prod needs PORTAL_URL set"):
        Settings(_env_file=None, portal_env="prod", portal_secret_key="x" * 40)
    ok = Settings(
        _env_file=None,
        portal_env="prod",
        portal_url=url,
        portal_secret_key="x" * 40,
        mail_backend="outbox",
    )
    assert ok.portal_env == "prod"


def test_settings_errors_never_echo_the_secret() -> None:
    secret = "a-real-secret-value-that-is-long-enough-0123456789"
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, portal_env="prod", portal_secret_key=secret)
    assert "long-enough" not in str(refused.value)


def test_secure_cookies_follow_the_public_url() -> None:
    assert Settings(_env_file=None, portal_url="https://portal.example").secure_cookies
    assert not Settings(_env_file=None, portal_url="http://localhost:3000").secure_cookies


@pytest.mark.parametrize("role", ["Portal-App", "x; DROP ROLE postgres", ""])
def test_runtime_role_name_must_be_a_plain_identifier(role: str) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, app_db_role=role)


def test_redis_url_must_name_a_redis_scheme() -> None:
    assert Settings(_env_file=None, redis_url="redis://127.0.0.1:6379/0").redis_url
    with pytest.raises(ValidationError, match="REDIS_URL"):
        Settings(_env_file=None, redis_url="http://127.0.0.1:6379")


def test_several_workers_need_shared_state() -> None:
    with pytest.raises(ValidationError, match="GRANIAN_WORKERS > 1 needs REDIS_URL"):
        Settings(_env_file=None, granian_workers=2)
    assert Settings(_env_file=None, granian_workers=1).redis_url is None
    both = Settings(_env_file=None, granian_workers=4, redis_url="redis://127.0.0.1:6379")
    assert both.granian_workers == 4
