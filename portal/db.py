"""Engines and the one way to touch data: a tenant-scoped transaction.

Row-level security reads `app.tenant_id`, `app.user_id` and `app.admin_scope`; they are set with
`set_config(name, value, true)` so they live for one transaction only (safe behind Neon's
transaction-mode pooler). `app.timezone` (PORTAL_TIMEZONE) goes with them, so the database's
`app_today()` and Python's "today" name the same day. The runtime engine connects as a role
that owns nothing and cannot bypass RLS; the owner engine is for migrations, operator commands
and the retention jobs only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast
from uuid import UUID

import psycopg
from psycopg_pool import AsyncConnectionPool, ConnectionPool
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

from portal.settings import get_settings, normalise_database_url


@dataclass(frozen=True)
class TenantContext:
    """Who is acting and in which tenant; the database enforces what that may see."""

    tenant_id: UUID
    user_id: UUID | None = None
    # Ask for the admin scope (the tenants this admin tenant manages); the database checks
    # that the tenant is the admin tenant and the user one of its active admins.
    admin_scope: bool = False


@lru_cache
def owner_url() -> str:
    """The migration/owner URL: DATABASE_URL, or the embedded server's database."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from portal.embedded_pg import embedded_owner_url

    url = embedded_owner_url(settings.portal_data_dir, settings.embedded_db_name)
    return normalise_database_url(url)


@lru_cache
def app_url() -> str:
    """The runtime URL: APP_DATABASE_URL, or the owner URL with the runtime role as user."""
    settings = get_settings()
    if settings.app_database_url:
        return settings.app_database_url
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else None
    url = make_url(owner_url()).set(username=settings.app_db_role, password=password)
    return url.render_as_string(hide_password=False)


@lru_cache
def direct_url() -> str:
    """The runtime role over a direct connection, for LISTEN (the bell's listener, job workers):
    a transaction-mode pooler such as Neon's hands each transaction any server connection, so a
    LISTEN there hears nothing. APP_DIRECT_DATABASE_URL, else the runtime URL."""
    return get_settings().app_direct_database_url or app_url()


@lru_cache
def owner_engine() -> Engine:
    return create_engine(owner_url(), pool_pre_ping=True)


@lru_cache
def app_engine() -> Engine:
    engine = create_engine(app_url(), pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


# A pooled connection idle longer than this is pinged before use (a server or pooler may have
# closed it); one used moments ago is not, which saves a round trip on every busy transaction.
# A connection that breaks anyway fails one transaction and SQLAlchemy invalidates the pool.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:  # type: ignore[no-untyped-def]
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("stale pooled connection") from exc


@lru_cache
def app_pool() -> ConnectionPool:
    """Plain psycopg autocommit connections as the runtime role, for single-statement hot paths
    (webhook ingest) where an ORM session's ping/BEGIN/COMMIT round trips would dominate."""
    return ConnectionPool(
        libpq_conninfo(app_url()),
        min_size=1,
        max_size=10,
        kwargs={"autocommit": True},
        configure=_set_timezone,
    )


_TIMEZONE = "SELECT set_config('app.timezone', %s, false)"


def _set_timezone(conn) -> None:  # type: ignore[no-untyped-def]
    """A pooled autocommit connection's session default for app_today() (PORTAL_TIMEZONE);
    transactions set it again for themselves, which is what counts behind a pooler."""
    conn.execute(_TIMEZONE, (get_settings().portal_timezone,))


async def _set_timezone_async(conn) -> None:  # type: ignore[no-untyped-def]
    """The async pool's twin of _set_timezone."""
    await conn.execute(_TIMEZONE, (get_settings().portal_timezone,))


# One async pool per event loop (an async pool belongs to the loop that opened it).
_async_pools: dict[asyncio.AbstractEventLoop, tuple[AsyncConnectionPool, asyncio.Future]] = {}


def _drop_closed_loops_pools() -> None:
    """Forget the pools whose loop has closed and end their idle connections: a closed
    loop can no longer run the pool's own close(). A server has one loop per worker for its
    whole life; tests and TestClient start a loop per run, which without this kept one open
    connection (or more) per loop until the database refused new ones."""
    for loop in list(_async_pools):
        if not loop.is_closed():
            continue
        pool, _ = _async_pools.pop(loop)
        for conn in list(getattr(pool, "_pool", ())):  # the idle connections
            conn.pgconn.finish()


async def app_async_pool() -> AsyncConnectionPool:
    """The async twin of app_pool() for the running loop: hot HTTP paths (the share-link open)
    use it without a threadpool hop."""
    loop = asyncio.get_running_loop()
    entry = _async_pools.get(loop)
    if entry is None:
        _drop_closed_loops_pools()
        pool = AsyncConnectionPool(
            libpq_conninfo(app_url()),
            min_size=1,
            max_size=10,
            kwargs={"autocommit": True},
            configure=_set_timezone_async,
            open=False,
        )
        entry = _async_pools[loop] = (pool, asyncio.ensure_future(pool.open()))
    try:
        if entry[1].done():
            entry[1].result()  # raises when opening failed
        else:
            await asyncio.shield(entry[1])
    except Exception:
        _async_pools.pop(loop, None)  # the next request tries again
        raise
    return entry[0]


async def close_async_pool() -> None:
    """Close the running loop's async pool, if it has one: call it before the loop ends (app
    shutdown, the end of a test's loop). psycopg_pool's workers swallow a cancellation that
    lands while they open a connection, so a loop that ends with its pool still open can hang
    in asyncio.run's final cancel-all."""
    entry = _async_pools.pop(asyncio.get_running_loop(), None)
    if entry is not None:
        await entry[0].close()


@asynccontextmanager
async def async_pool_lifespan() -> AsyncIterator[None]:
    """Lifespan task: the app's loop closes its async pool when the app stops."""
    try:
        yield
    finally:
        await close_async_pool()


def reset_engines() -> None:
    """Forget cached URLs, engines and pools (after settings change, e.g. in tests)."""
    for cached in (app_engine, owner_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()
    if app_pool.cache_info().currsize:
        app_pool().close()
    app_pool.cache_clear()
    _drop_closed_loops_pools()
    _async_pools.clear()  # pools of loops still running close with their loop
    app_url.cache_clear()
    direct_url.cache_clear()
    owner_url.cache_clear()


@contextmanager
def tenant_session(ctx: TenantContext | None) -> Iterator[Session]:
    """A transaction as the runtime role with the tenant context set; commits on success.

    `ctx=None` is the anonymous context: nothing set, so every RLS table reads as empty; it is
    used only to call the narrow SECURITY DEFINER auth functions.
    """
    with Session(app_engine(), expire_on_commit=False) as session, session.begin():
        if ctx is not None:
            # Pipelined on the driver connection: BEGIN and the context go in one round trip.
            driver = driver_connection(session)
            with driver.pipeline():
                set_tenant_context(driver, ctx)
        yield session


@contextmanager
def owner_session() -> Iterator[Session]:
    """A transaction as the owner, for the maintenance the runtime role may not run (retention);
    commits on success. Job workers and operator commands only, never a request."""
    with Session(owner_engine(), expire_on_commit=False) as session, session.begin():
        session.execute(
            text("SELECT set_config('app.timezone', :zone, true)"),
            {"zone": get_settings().portal_timezone},
        )
        yield session


# The one statement that sets the tenant context row-level security reads. `true`: local to
# the transaction (a session-level setting would leak to the next client behind a pooler).
_TENANT_CONTEXT = (
    "SELECT set_config('app.tenant_id', %s, true), set_config('app.user_id', %s, true),"
    " set_config('app.admin_scope', %s, true), set_config('app.timezone', %s, true)"
)


def set_tenant_context(driver: psycopg.Connection, ctx: TenantContext) -> None:
    """Set `ctx` for the open transaction of a psycopg connection (inside a pipeline too)."""
    driver.execute(
        _TENANT_CONTEXT,
        (
            str(ctx.tenant_id),
            str(ctx.user_id) if ctx.user_id else "",
            "on" if ctx.admin_scope else "",
            get_settings().portal_timezone,
        ),
    )


def enter_tenant(session: Session, ctx: TenantContext) -> None:
    """Switch an open transaction to `ctx` (system jobs, after a narrow cross-tenant lookup).
    Pending ORM writes are flushed first: they belong to the context they were made in."""
    session.flush()
    set_tenant_context(driver_connection(session), ctx)


def driver_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under a session's open transaction (for pipelined statements)."""
    return cast(psycopg.Connection, session.connection().connection.driver_connection)


def libpq_conninfo(url: str) -> str:
    """A libpq connection string for a SQLAlchemy URL (Unix-socket hosts included)."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(url)
    parts: dict[str, Any] = {
        "user": parsed.username,
        "password": parsed.password,
        "host": parsed.host,
        "port": parsed.port,
        "dbname": parsed.database,
        **{k: v for k, v in parsed.query.items() if isinstance(v, str)},
    }
    return make_conninfo(**{k: v for k, v in parts.items() if v is not None})
