"""`portal` command: setup (database, migrations, demo data), serve, and operator helpers."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from portal import cli_compliance as compliance
from portal.settings import ROOT, get_settings


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
    from portal.services.demo import load_demo_data

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


def _serve(port: int) -> None:
    """Serve the production build of the Reflex app (front end and back end on one port)."""
    env = dict(os.environ)
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    env["PORTAL_PORT"] = str(port)
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    cmd = [
        str(bin_dir / "reflex"),
        "run",
        "--env",
        "prod",
        "--single-port",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
    ]
    raise SystemExit(subprocess.call(cmd, cwd=ROOT, env=env))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="start the database if embedded, migrate, load demo data")
    sub.add_parser("migrate", help="apply migrations")
    sub.add_parser("seed", help="load demo data (idempotent)")
    serve = sub.add_parser("serve", help="serve the app (production build)")
    serve.add_argument("--port", type=int, default=3000)
    ready = sub.add_parser("pg-ready", help="exit 0 when PostgreSQL answers at URL")
    ready.add_argument("url")
    sub.add_parser("db-url", help="print the owner database URL (starts the embedded server)")
    worker = sub.add_parser("worker", help="run a job worker (webhooks, periodic jobs)")
    worker.add_argument("--concurrency", type=int, default=4)
    compliance.add_parsers(sub)
    args = parser.parse_args(argv)

    if args.command in compliance.COMMANDS:
        compliance.run(args)
    elif args.command == "setup":
        _setup()
    elif args.command == "migrate":
        migrate()
    elif args.command == "seed":
        from portal.services.demo import load_demo_data

        load_demo_data()
    elif args.command == "serve":
        _serve(args.port)
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
