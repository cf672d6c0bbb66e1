"""The printable HTML form of a residency report (every value escaped; no scripts)."""

from __future__ import annotations

from html import escape
from typing import Any

# The meta tag carrying the SHA-256 of the JSON report, checked on verification.
JSON_META = "portal-json-sha256"

STYLE = """
body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; color: #111; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; width: 30%; } .note { background: #fff7e0; padding: 0.5rem; }
code { font-size: 12px; word-break: break-all; }
@media print { body { margin: 0; } }
"""
SECTIONS = (
    ("database", "Database"),
    ("media", "Media (video)"),
    ("email", "Email"),
    ("backups", "Backups"),
    ("record_counts", "Records held for this tenant"),
)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return _table(value)
    return escape("" if value is None else str(value))


def _table(values: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{escape(str(k))}</th><td>{_value(v)}</td></tr>" for k, v in values.items()
    )
    return f"<table>{rows}</table>"


def _checks(checks: list[dict[str, str]]) -> str:
    head = "<tr><th>data</th><th>policy</th><th>meets policy</th><th>checked at (UTC)</th></tr>"
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(c[k])}</td>" for k in ("data", "policy", "meets_policy", "checked_at")
        )
        + "</tr>"
        for c in checks
    )
    return f"<table>{head}{rows}</table>"


def render_html(report: dict[str, Any], json_sha256: str) -> str:
    """The report as a standalone, printable HTML page."""
    tenant = report["tenant"]
    sections = "".join(
        f"<h2>{title}</h2>{_table(report[key])}" for key, title in SECTIONS if key in report
    )
    note = report["email"].get("note", "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="{JSON_META}" content="{json_sha256}">
<title>Residency evidence: {escape(tenant["name"])}</title><style>{STYLE}</style></head>
<body>
<h1>Data residency evidence: {escape(tenant["name"])}</h1>
<p>Generated {escape(report["generated_at"])} (UTC) for tenant <code>{escape(tenant["id"])}</code>;
residency policy <strong>{escape(tenant["policy"])}</strong>.</p>
<h2>Checks</h2>{_checks(report["checks"])}
<p class="note">{escape(note)}</p>
{sections}
<h2>Integrity</h2>
<p>The SHA-256 of this HTML file is recorded in the portal database (residency_evidence).
The SHA-256 of the matching JSON report is <code>{json_sha256}</code>.</p>
</body></html>
"""
