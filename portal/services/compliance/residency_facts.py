"""What a residency report states: where each class of data lives, found from configuration and
the database itself (never from what anyone claims), without secrets."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from portal.db import owner_url
from portal.settings import get_settings

# Neon hosts name their region: ep-<name>-<id>.<region>.aws.neon.tech (pooler: ep-…-pooler.…).
NEON_HOST = re.compile(r"\.(?P<region>[a-z]{2}-[a-z]+-\d)\.aws\.neon\.tech$")
AWS_REGIONS = {
    "ap-southeast-2": ("Sydney, Australia", "AU"),
    "ap-southeast-4": ("Melbourne, Australia", "AU"),
    "ap-southeast-1": ("Singapore", "SG"),
    "us-east-1": ("N. Virginia, USA", "US"),
    "us-east-2": ("Ohio, USA", "US"),
    "us-west-2": ("Oregon, USA", "US"),
    "eu-central-1": ("Frankfurt, Germany", "EU"),
    "eu-west-2": ("London, UK", "UK"),
}
SETTINGS = ("server_encoding", "ssl", "TimeZone", "data_checksums", "wal_level", "archive_mode")
TENANT_TABLES = (
    "users",
    "user_sessions",
    "projects",
    "milestones",
    "tasks",
    "assets",
    "share_links",
    "share_decisions",
    "comments",
    "notifications",
    "audit_logs",
)
RESEND_NOTE = (
    "Resend stores email metadata (recipients, subjects, delivery and bounce events) in the "
    "United States whatever the sending region, so email metadata is not kept in Australia."
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def host_location(host: str | None) -> dict[str, str]:
    """Provider, region and country inferred from a database host name."""
    if not host or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1"):
        where = "this machine (embedded or local PostgreSQL)"
        return {"provider": "self-hosted", "region": where, "country": "where this machine runs"}
    match = NEON_HOST.search(host)
    if match:
        region = match["region"]
        city, country = AWS_REGIONS.get(region, (region, "unknown"))
        return {"provider": "Neon (AWS)", "region": f"{region} ({city})", "country": country}
    return {"provider": "external PostgreSQL", "region": "not inferable", "country": "unknown"}


def database_facts(session: Session) -> dict[str, Any]:
    """Host, region, version and key settings of the database (password never included)."""
    url = make_url(owner_url())
    host = url.host or str(url.query.get("host") or "")
    names = ", ".join(f"'{s}'" for s in SETTINGS)
    settings = dict(
        session.execute(
            text(f"SELECT name, setting FROM pg_settings WHERE name IN ({names}) ORDER BY name")
        ).all()
    )
    return {
        "host": host,
        "port": url.port,
        "database": url.database,
        **host_location(host),
        "server_version": session.execute(text("SHOW server_version")).scalar_one(),
        "settings": settings,
        "checked_at": _now(),
    }


def media_facts() -> dict[str, Any]:
    """Where uploaded video lives."""
    settings = get_settings()
    if settings.mux_configured:
        return {
            "provider": "Mux",
            "region": "not selectable: Mux stores and delivers video from its own (US-based, "
            "global CDN) infrastructure",
            "country": "US / global",
        }
    return {
        "provider": "local disk (ffmpeg renditions)",
        "location": str(settings.portal_data_dir / "media"),
        "region": "this machine",
        "country": "where this machine runs",
    }


def email_facts(database: dict[str, Any]) -> dict[str, Any]:
    """Who sends email and where its metadata is kept (honestly, for Resend)."""
    settings = get_settings()
    if settings.resend_configured:
        return {
            "provider": "Resend",
            "api": settings.resend_api_url,
            "metadata_region": "United States",
            "note": RESEND_NOTE,
        }
    return {
        "provider": "local outbox (mail_outbox table; nothing leaves the database)",
        "metadata_region": database["region"],
        "note": "If Resend is enabled later: " + RESEND_NOTE,
    }


def backup_facts(database: dict[str, Any]) -> dict[str, Any]:
    """Where backups are written (and, on Neon, its own point-in-time history)."""
    facts = {
        "dump_location": str(get_settings().portal_data_dir / "backups"),
        "dump_region": "the machine running `portal backup` / the backup job",
    }
    if database["provider"].startswith("Neon"):
        facts["point_in_time_restore"] = f"Neon history in {database['region']}"
    return facts


def record_counts(session: Session, tenant_id: UUID) -> dict[str, int]:
    """Rows per tenant table (the session must be in that tenant's context). The tenant is
    named as well as enforced by RLS so the planner can use the tenant indexes."""
    counts = {
        table: int(
            session.execute(
                text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"), {"t": tenant_id}
            ).scalar_one()
        )
        for table in TENANT_TABLES
    }
    counts["residency_evidence"] = int(
        session.execute(
            text("SELECT count(*) FROM residency_evidence WHERE tenant_id = :t"), {"t": tenant_id}
        ).scalar_one()
    )
    return counts


def residency_checks(policy: str, facts: dict[str, Any]) -> list[dict[str, str]]:
    """Each class of data compared with the tenant's residency policy (yes / no / unknown)."""

    def verdict(country: str) -> str:
        if country == policy:
            return "yes"
        return "unknown" if "where this machine" in country or country == "unknown" else "no"

    classes = {
        "database": facts["database"]["country"],
        "media": facts["media"]["country"],
        "email metadata": "US" if facts["email"]["metadata_region"] == "United States" else "",
    }
    classes["email metadata"] = classes["email metadata"] or facts["database"]["country"]
    return [
        {"data": name, "policy": policy, "meets_policy": verdict(country), "checked_at": _now()}
        for name, country in classes.items()
    ]
