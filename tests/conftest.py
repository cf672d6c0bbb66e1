"""Test session setup: a fresh database on a real PostgreSQL, migrated once.

The server is the embedded PostgreSQL 18 (default, .portal/test-pgdata) or the one at
TEST_DATABASE_URL (a superuser URL, e.g. the machine's PostgreSQL 15). Migrations run as
`portal_owner`, a non-superuser that owns the tables (as on Neon), so FORCE ROW LEVEL SECURITY
applies to the owner as well; the app connects as the runtime role. Tests create their own
tenants, so they never see each other's rows.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from portal import db
from portal.settings import ROOT, get_settings
from tests.factories import PASSWORD, Studio, make_studio
from tests.fake_mux import FakeMux, running_fake_mux
from tests.fake_resend import FakeResend, running_fake_resend
from tests.media_support import make_clips
from tests.webhook_support import MUX_SECRET, RESEND_SECRET

OWNER_ROLE = "portal_owner"


def _server_url() -> str:
    """A superuser libpq URL of the server the tests use."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql+psycopg://", "postgresql://")
    from portal.embedded_pg import start_embedded

    # A cluster of its own, stopped when the test run ends (`make run` keeps .portal/pgdata).
    return start_embedded(ROOT / ".portal", cluster="test-pgdata", keep_running=False)


def _with_db(url: str, name: str, user: str | None = None) -> str:
    """`url` pointed at database `name` (and user `user`), keeping host/query parts."""
    conninfo = psycopg.conninfo.conninfo_to_dict(url)
    conninfo["dbname"] = name
    if user:
        conninfo["user"] = user
        conninfo.pop("password", None)
    return psycopg.conninfo.make_conninfo(**conninfo)


def libpq_to_sqlalchemy(conninfo: str) -> str:
    """The SQLAlchemy psycopg URL for a libpq conninfo (Unix-socket hosts go in the query)."""
    from sqlalchemy.engine import URL

    parts = psycopg.conninfo.conninfo_to_dict(conninfo)
    host = str(parts.get("host") or "")
    query = {"host": host} if host.startswith("/") else {}
    url = URL.create(
        "postgresql+psycopg",
        username=parts.get("user"),
        password=parts.get("password") or None,
        host=None if host.startswith("/") else host or None,
        port=int(parts["port"]) if parts.get("port") else None,
        database=parts.get("dbname"),
        query=query,
    )
    return url.render_as_string(hide_password=False)


class ScratchDatabase:
    """A throwaway database on the test server."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.name = f"portal_test_{uuid.uuid4().hex[:10]}"

    def create(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (OWNER_ROLE,)
            ).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER CREATEROLE").format(
                        sql.Identifier(OWNER_ROLE)
                    )
                )
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(self.name), sql.Identifier(OWNER_ROLE)
                )
            )

    def drop(self) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )

    @property
    def owner_conninfo(self) -> str:
        return _with_db(self.server_url, self.name, OWNER_ROLE)

    @property
    def superuser_conninfo(self) -> str:
        return _with_db(self.server_url, self.name)

    @property
    def owner_url(self) -> str:
        return libpq_to_sqlalchemy(self.owner_conninfo)


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def database(server_url: str) -> Iterator[ScratchDatabase]:
    """The migrated test database; settings and engines point at it for the whole session."""
    from portal.cli import migrate

    test_db = ScratchDatabase(server_url)
    test_db.create()
    os.environ["DATABASE_URL"] = test_db.owner_url
    os.environ.pop("APP_DATABASE_URL", None)
    get_settings.cache_clear()
    db.reset_engines()
    migrate(test_db.owner_url)
    yield test_db
    db.reset_engines()
    test_db.drop()


@pytest.fixture(scope="session")
def owner_conn(database: ScratchDatabase) -> Iterator[psycopg.Connection]:
    """A connection as the owning (migration) role, autocommit."""
    with psycopg.connect(database.owner_conninfo, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def superuser_conn(database: ScratchDatabase) -> Iterator[psycopg.Connection]:
    """A superuser connection to the test database (bypasses RLS, not triggers)."""
    with psycopg.connect(database.superuser_conninfo, autocommit=True) as conn:
        yield conn


@pytest.fixture()
def empty_database(server_url: str) -> Iterator[ScratchDatabase]:
    """A brand-new empty database (for migration up/down tests)."""
    test_db = ScratchDatabase(server_url)
    test_db.create()
    yield test_db
    test_db.drop()


@pytest.fixture()
def studio(database: ScratchDatabase) -> Studio:
    """A studio managing one agency, with a dated project (tests.factories.make_studio)."""
    return make_studio()


@contextmanager
def settings_from(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], drop: tuple[str, ...] = ()
) -> Iterator[None]:
    """Settings read with `env` set (and `drop` unset) inside the block; restored after it."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in drop:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    try:
        yield
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny generated clips by name (tests/media_support.py), made once per run."""
    return make_clips(tmp_path_factory.mktemp("clips"))


@pytest.fixture()
def media_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """MEDIA_DIR for one test: settings re-read, restored afterwards."""
    folder = tmp_path / "media"
    with settings_from(monkeypatch, {"MEDIA_DIR": str(folder)}):
        yield folder


@pytest.fixture()
def fake_mux(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMux]:
    """The fake Mux API (tests/fake_mux.py), with this process's MUX_* settings pointed at it."""
    with running_fake_mux() as (fake, env), settings_from(monkeypatch, env):
        yield fake


@pytest.fixture()
def fake_resend(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeResend]:
    """The fake Resend API (tests/fake_resend.py), with RESEND_* settings pointed at it."""
    with running_fake_resend() as (fake, env), settings_from(monkeypatch, env, ("MAIL_BACKEND",)):
        yield fake


@pytest.fixture()
def webhook_secrets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Both webhook secrets configured for one test (tests/webhook_support.py signs with them)."""
    env = {"MUX_WEBHOOK_SECRET": MUX_SECRET, "RESEND_WEBHOOK_SECRET": RESEND_SECRET}
    with settings_from(monkeypatch, env):
        yield


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PORTAL_DATA_DIR for one test (evidence reports, backups): a folder of its own."""
    monkeypatch.setattr(get_settings(), "portal_data_dir", tmp_path)
    return tmp_path


ClientFor = Callable[..., TestClient]


def with_pool_lifespan(app: ASGIApp) -> ASGIApp:
    """`app` with the lifespan the served app has for its loop's async database pool
    (portal.db.async_pool_lifespan): a client's loop closes the pool before it ends, since a
    loop ending with the pool open can hang in asyncio's final cancel-all."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        async with db.async_pool_lifespan():
            await receive()  # lifespan.startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})

    return wrapped


@pytest.fixture()
def client_for() -> Iterator[ClientFor]:
    """Builds HTTP clients of the portal's API (or of `app`): anonymous, or signed in as
    `email` (password PASSWORD); each from an address of its own unless `address` is given
    (passcode and sign-in throttles count per address). Redirects are answers, not followed,
    unless `follow_redirects`. Each client runs its requests on one loop, with the app's
    lifespan, until the test ends."""
    from portal.api import build_api
    from portal.services.accounts.auth import SESSION_COOKIE, sign_in

    lock = threading.Lock()  # concurrency tests build clients in many threads
    with ExitStack() as running:

        def build(
            email: str | None = None,
            *,
            app: ASGIApp | None = None,
            address: str | None = None,
            follow_redirects: bool = False,
        ) -> TestClient:
            own = uuid.uuid4().int
            client = TestClient(
                with_pool_lifespan(app if app is not None else build_api()),
                base_url="http://testserver",
                follow_redirects=follow_redirects,
                client=(address or f"10.{own % 250}.{own // 250 % 250}.{own // 62500 % 250}", 5000),
            )
            with lock:
                running.enter_context(client)
            if email:
                client.cookies.set(SESSION_COOKIE, sign_in(email=email, password=PASSWORD).token)
            return client

        yield build
