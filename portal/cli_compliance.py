"""Compliance commands of `portal`: audit verify, backup, restore, restore-drill."""

from __future__ import annotations

import argparse
import sys
from uuid import UUID

COMMANDS = ("audit", "backup", "restore", "restore-drill")


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register the compliance subcommands on the `portal` parser."""
    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_sub.add_parser("verify", help="recompute the audit hash chains")
    verify.add_argument("--tenant", help="only this tenant id")
    sub.add_parser("backup", help="pg_dump the database to .portal/backups with a manifest")
    restore = sub.add_parser("restore", help="restore a backup archive into an empty database")
    restore.add_argument("archive")
    restore.add_argument("--into", required=True, help="URL of an empty database")
    sub.add_parser("restore-drill", help="restore the latest backup into a scratch database")


def _fail(message: str, code: int = 2) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def audit_verify(tenant: str | None) -> int:
    """Print each tenant's chain status; 1 when any chain is broken."""
    from portal.services.compliance.audit_chain import verify_chains

    only = None
    if tenant:
        try:
            only = [UUID(tenant)]
        except ValueError:
            _fail(f"--tenant must be a tenant id (a UUID), not {tenant!r}")
    broken = 0
    for report in verify_chains(only):
        head = f"head {report.head_seq}:{report.head_hash[:16]}"
        if report.intact:
            print(f"ok      tenant {report.tenant_id}: {report.rows} rows, {head}")
        else:
            broken += 1
            print(f"BROKEN  tenant {report.tenant_id}: {report.broken.describe()}")  # type: ignore[union-attr]
    return 1 if broken else 0


def run(args: argparse.Namespace) -> None:
    """Run one of COMMANDS."""
    from portal.services.core.errors import PortalError

    try:
        if args.command == "audit":
            raise SystemExit(audit_verify(args.tenant))
        from portal.services.compliance import backups

        if args.command == "backup":
            backup = backups.create_backup()
            print(f"backup: {backup.archive} ({backup.size} bytes, {len(backup.tables)} tables)")
        elif args.command == "restore":
            counts = backups.restore_backup(archive=args.archive, target_url=args.into)
            print(f"restored {len(counts)} tables into the target database; counts match")
        elif args.command == "restore-drill":
            from portal.services.operations.job_runs import job_run

            with job_run("restore_drill") as meta:
                meta.update(backups.run_drill())
            print(
                f"restore drill: ok ({meta['archive']}, {meta['rows']} rows, {meta['seconds']} s)"
            )
    except PortalError as exc:
        _fail(exc.user_message, 1)
