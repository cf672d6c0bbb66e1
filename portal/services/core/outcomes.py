"""What handling one inbound webhook event did: shared by the handlers (Mux in media, Resend in
email) and the processing that records it (operations)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventOutcome:
    """What processing an event did: `processed` or `ignored`, with a note for the ledger."""

    status: str
    note: str | None = None
