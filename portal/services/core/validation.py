"""Form input checks shared by the project, milestone, task and comment services."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from portal.services.core.errors import InvalidInput, NotFound

# C0 control characters other than tab and line breaks (NUL among them: PostgreSQL text cannot
# hold it, and none of the others belongs in anything a person types).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The longest title or name a person may give (projects, clients, milestones, tasks,
# deliverables, tenants, share links, people): ample for a real title, short enough that lists
# truncate it cleanly. The database's CHECKs (0002, 0014) are the backstop: 200 there too, but
# 300 for task and deliverable titles, which this limit was once (older rows may be longer).
MAX_TITLE = 200


def reject_control(value: str, *, label: str) -> str:
    """Refuse text carrying control characters (e.g. NUL) with a clear message, at the boundary."""
    if CONTROL.search(value):
        raise InvalidInput(f"{label} contains characters that are not allowed.", code="control")
    return value


def clean_text(value: str | None, *, label: str, max_length: int, required: bool = True) -> str:
    """Trimmed text; refuses empty (when required), overlong values and control characters
    with a clear message."""
    text = reject_control((value or "").strip(), label=label)
    if required and not text:
        raise InvalidInput(f"{label} is required.")
    if len(text) > max_length:
        raise InvalidInput(f"{label} must be at most {max_length} characters.")
    return text


# The en-AU way a person writes a date: day/month/year ("5/11/2026", "05/11/2026").
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def read_date(text: str) -> date:
    """A date written dd/mm/yyyy (what the forms show) or ISO yyyy-mm-dd (links, the API).
    Raises ValueError for anything else, e.g. the US order 11/25/2026."""
    text = text.strip()
    written = DAY_MONTH_YEAR.fullmatch(text)
    if written:
        day, month, year = (int(part) for part in written.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def parse_date(value: date | str | None, *, label: str) -> date | None:
    """A date from a form (dd/mm/yyyy, or ISO yyyy-mm-dd) or None when blank."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return read_date(text)
    except ValueError:
        raise InvalidInput(f"{label} is not a valid date: write it as dd/mm/yyyy.") from None


def parse_uuid(value: UUID | str | None, *, required: bool = True) -> UUID | None:
    """An id from a client; a malformed one reads as "not found" (no hint either way)."""
    if value is None or value == "":
        if required:
            raise NotFound()
        return None
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise NotFound() from None


def parse_effort(value: Decimal | float | str | None) -> Decimal | None:
    """Effort in hours: blank or a number from 0 to 99999.99."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        effort = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput("Effort must be a number of hours.") from None
    if not effort.is_finite() or effort < 0 or effort >= 100000:
        raise InvalidInput("Effort must be between 0 and 99,999 hours.")
    return effort.quantize(Decimal("0.01"))


def check_within(
    due: date | None, start: date | None, end: date | None, *, label: str = "The due date"
) -> None:
    """Refuse a due date outside the project's start and end dates."""
    if due is None:
        return
    if start and due < start:
        raise InvalidInput(f"{label} is before the project starts.")
    if end and due > end:
        raise InvalidInput(f"{label} is after the project ends.")
