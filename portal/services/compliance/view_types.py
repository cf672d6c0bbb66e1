"""What the audit and compliance pages show: plain view types and constants, with no database code
(pages import them; the query functions in this package build them)."""

from __future__ import annotations

from dataclasses import dataclass

ENTITY_TYPES = (
    "projects",
    "tasks",
    "assets",
    "share_links",
    "share_decisions",
    "api_tokens",
)


ACTIONS = ("insert", "update", "delete")


@dataclass
class AuditRow:
    """One audit entry for display; `key` identifies it for paging and expanding."""

    key: str
    when: str
    tenant: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    summary: str


@dataclass
class DiffRow:
    """One field of an entry's before/after diff."""

    field: str
    before: str
    after: str


@dataclass
class EvidenceRow:
    """One stored report for display."""

    id: str
    tenant: str
    generated_at: str
    checksum: str
    url: str
    json_url: str


@dataclass
class RetentionRow:
    """One retention rule for display."""

    data: str
    rule: str
    next_run: str
    next_due: str
    last_run: str
    last_result: str
