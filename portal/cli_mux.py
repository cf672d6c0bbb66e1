"""Mux commands of `portal`: backfill-mp4 (operator, over every tenant or one)."""

from __future__ import annotations

import argparse
import sys
from uuid import UUID

COMMANDS = ("mux",)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `portal mux ...` on the `portal` parser."""
    mux = sub.add_parser("mux", help="Mux-hosted media tools")
    mux_sub = mux.add_subparsers(dest="mux_command", required=True)
    backfill = mux_sub.add_parser(
        "backfill-mp4", help="ask Mux for the MP4 download of versions uploaded without one"
    )
    backfill.add_argument("--tenant", help="only this tenant id")
    backfill.add_argument("--dry-run", action="store_true", help="list, ask Mux for nothing")


def _fail(message: str, code: int = 2) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def _tenants(tenant: str | None) -> list[UUID]:
    from portal.db import tenant_session
    from portal.services.compliance.audit_chain import tenant_ids

    if tenant:
        try:
            return [UUID(tenant)]
        except ValueError:
            _fail(f"--tenant must be a tenant id (a UUID), not {tenant!r}")
    with tenant_session(None) as session:
        return tenant_ids(session=session)


def backfill_mp4(tenant: str | None, dry_run: bool) -> int:
    """Print what was asked, skipped or refused; 1 when Mux refused any."""
    from portal.services.media.mux_uploads import backfill_mp4 as backfill
    from portal.services.operations.job_runs import job_run
    from portal.settings import get_settings

    if not get_settings().mux_configured:
        _fail("Mux is not configured (MUX_TOKEN_ID, MUX_TOKEN_SECRET, MUX_WEBHOOK_SECRET).")
    with job_run("mux_backfill_mp4") as meta:
        report = backfill(tenant_ids=_tenants(tenant), dry_run=dry_run)
        meta.update(asked=len(report.asked), had=len(report.had), failed=len(report.failed))
        meta["dry_run"] = dry_run
    verb = "would ask" if dry_run else "asked"
    for asset_id in report.asked:
        print(f"{verb:9} {asset_id}")
    for asset_id, reason in report.failed:
        print(f"failed    {asset_id}: {reason}")
    print(
        f"MP4 backfill: {verb} {len(report.asked)}, already had {len(report.had)}, "
        f"failed {len(report.failed)}"
    )
    return 1 if report.failed else 0


def run(args: argparse.Namespace) -> None:
    """Run one of COMMANDS."""
    if args.mux_command == "backfill-mp4":
        raise SystemExit(backfill_mp4(args.tenant, args.dry_run))
