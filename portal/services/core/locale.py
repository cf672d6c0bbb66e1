"""Display formats: en-AU dates via babel, times stored UTC and shown in the viewer's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime

from portal.settings import get_settings

LOCALE = "en_AU"


def viewer_zone(tz_name: str | None = None) -> ZoneInfo:
    """The viewer's time zone (default: settings.portal_timezone, Australia/Sydney)."""
    return ZoneInfo(tz_name or get_settings().portal_timezone)


def format_date(value: date | None) -> str:
    """en-AU display date, e.g. "25 Nov 2026" (empty when unset)."""
    return babel_format_date(value, "d MMM y", locale=LOCALE) if value else ""


def format_month(value: date | None) -> str:
    """en-AU month and year, e.g. "Nov 2026" (empty when unset)."""
    return babel_format_date(value, "MMM y", locale=LOCALE) if value else ""


def format_day_month(value: date | None) -> str:
    """en-AU day and month, e.g. "25 Nov" (empty when unset): chart labels within a year."""
    return babel_format_date(value, "d MMM", locale=LOCALE) if value else ""


def format_short_date(value: date | None) -> str:
    """en-AU numeric date, e.g. "25/11/2026" (empty when unset)."""
    return babel_format_date(value, "dd/MM/y", locale=LOCALE) if value else ""


def format_datetime(value: datetime | None, tz_name: str | None = None) -> str:
    """A UTC timestamp in the viewer's zone, e.g. "25 Nov 2026, 9:30 am" (empty when unset)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (
        babel_format_datetime(value, "d MMM y, h:mm a", tzinfo=viewer_zone(tz_name), locale=LOCALE)
        .replace("AM", "am")
        .replace("PM", "pm")
    )


def local_date(value: datetime, tz_name: str | None = None) -> date:
    """The calendar day a UTC timestamp falls on in the viewer's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(viewer_zone(tz_name)).date()


def format_local_date(value: datetime | None, tz_name: str | None = None) -> str:
    """A UTC timestamp's day in the viewer's zone, e.g. "25 Nov 2026" (empty when unset)."""
    return format_date(local_date(value, tz_name)) if value else ""


def format_utc(value: datetime | None) -> str:
    """A timestamp in UTC, labelled so, e.g. "25 Nov 2026, 9:30 pm UTC": only for times that
    must be read in UTC (machine logs); everything else shows the viewer's zone."""
    return f"{format_datetime(value, 'UTC')} UTC" if value else ""


def iso(value: date | None) -> str:
    """ISO date for links, keys and stored data (empty when unset)."""
    return value.isoformat() if value else ""


def today(tz_name: str | None = None) -> date:
    """Today's date in the viewer's zone (matches app_today() in the database)."""
    return datetime.now(viewer_zone(tz_name)).date()
