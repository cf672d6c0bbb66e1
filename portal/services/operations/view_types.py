"""What the operations page shows: plain view types, with no database code (pages import them;
views.py builds them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class JobRunRow:
    """One job run for display."""

    id: str
    job_name: str
    started_at: str
    seconds: str
    result: str
    details: str


@dataclass
class WebhookEventRow:
    """One webhook event for display (its payload is loaded, redacted, on request)."""

    id: str
    source: str
    event_id: str
    event_type: str
    status: str
    retry_count: int
    received_at: str
    last_error: str
    replayable: bool
