"""`portal` command: setup (database, migrations, demo data), serve, and operator helpers."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from pydantic import ValidationError

from portal import cli_compliance as compliance
from portal import cli_mux
from portal.settings import ROOT, get_settings

# Where `portal serve` listens unless told otherwise (`--host`, or HOST=0.0.0.0 make run).
DEFAULT_HOST = "127.0.0.1"


def migrate(url: str | None = None, revision: str = "head") -> None:
    """Apply Alembic migrations up to `revision` on the owner URL."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if url:
        config.attributes["url"] = url
    command.upgrade(config, revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    from alembic.config import Config

    from alembic import command

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    if url:
        config.attributes["url"] = url
    command.downgrade(config, revision)


def pg_ready(url: str) -> bool:
    """True when a PostgreSQL server answers at `url` within two seconds."""
    import psycopg

    try:
        with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def _setup() -> None:
    from portal.db import owner_url
    from portal.demo import load_demo_data

    url = owner_url()
    where = (
        "DATABASE_URL" if get_settings().database_url else "embedded PostgreSQL (.portal/pgdata)"
    )
    print(f"database: {where}")
    migrate(url)
    if get_settings().portal_env == "prod":
        print("demo data: skipped (PORTAL_ENV=prod)")
        return
    created = load_demo_data()
    print(f"demo data: {'loaded' if created else 'already present'} (accounts in README.md)")


def serve_command(port: int, host: str) -> list[str]:
    """`reflex run` for the production build: front end and back end on one port at `host`."""
    return [
        str(Path(sys.executable).parent / "reflex"),
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
        "--backend-host",
        host,
    ]


def serve_env(port: int, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment `portal serve` starts Reflex with: Reflex offline, this venv on PATH, and
    PORTAL_PORT = the port served, so links follow it unless PORTAL_URL is set."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    env["PORTAL_PORT"] = str(port)
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def _serve(port: int, host: str) -> None:
    """Serve the production build of the Reflex app (front end and back end on one port)."""
    raise SystemExit(subprocess.call(serve_command(port, host), cwd=ROOT, env=serve_env(port)))


def _check_settings() -> None:
    """Refuse to go on with a clear message when the configuration is invalid (e.g. prod
    without PORTAL_SECRET_KEY or PORTAL_URL), instead of a traceback from deep inside."""
    try:
        get_settings()
    except ValidationError as exc:
        problems = "\n".join(f"  - {e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        print(f"portal: the configuration is not usable:\n{problems}", file=sys.stderr)
        raise SystemExit(2) from None


def build_parser() -> argparse.ArgumentParser:
    """The `portal` command line (HOST in the environment sets `serve --host`'s default)."""
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="start the database if embedded, migrate, load demo data")
    sub.add_parser("migrate", help="apply migrations")
    sub.add_parser("seed", help="load demo data (idempotent)")
    serve = sub.add_parser("serve", help="serve the app (production build)")
    serve.add_argument("--port", type=int, help="port to serve on (default: PORTAL_PORT, 3000)")
    serve.add_argument(
        "--host",
        default=os.environ.get("HOST") or DEFAULT_HOST,
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: everywhere)",
    )
    ready = sub.add_parser("pg-ready", help="exit 0 when PostgreSQL answers at URL")
    ready.add_argument("url")
    sub.add_parser("db-url", help="print the owner database URL (starts the embedded server)")
    worker = sub.add_parser("worker", help="run a job worker (webhooks, periodic jobs)")
    worker.add_argument("--concurrency", type=int, default=4)
    compliance.add_parsers(sub)
    cli_mux.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    _check_settings()

    if args.command in compliance.COMMANDS:
        compliance.run(args)
    elif args.command in cli_mux.COMMANDS:
        cli_mux.run(args)
    elif args.command == "setup":
        _setup()
    elif args.command == "migrate":
        migrate()
    elif args.command == "seed":
        from portal.demo import load_demo_data

        load_demo_data()
    elif args.command == "serve":
        _serve(args.port or get_settings().portal_port, args.host)
    elif args.command == "pg-ready":
        raise SystemExit(0 if pg_ready(args.url) else 1)
    elif args.command == "db-url":
        from portal.db import owner_url

        print(owner_url())
    elif args.command == "worker":
        import asyncio

        from portal.jobs.worker import run_worker

        asyncio.run(run_worker(concurrency=args.concurrency))


if __name__ == "__main__":
    main()
