"""en-AU formats and the viewer's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.services.core.errors import InvalidInput
from portal.services.core.locale import (
    format_date,
    format_datetime,
    format_day_month,
    format_local_date,
    format_month,
    format_short_date,
    format_utc,
    local_date,
)
from portal.services.core.validation import parse_date, read_date


def test_dates_display_in_en_au_format() -> None:
    assert format_date(date(2026, 11, 25)) == "25 Nov 2026"
    assert format_short_date(date(2026, 11, 5)) == "05/11/2026"
    assert format_date(None) == format_short_date(None) == ""


def test_utc_times_show_in_sydney_time_by_default() -> None:
    # 22:30 UTC on 25 Nov is 9:30 am on 26 Nov in Sydney (AEDT, UTC+11).
    assert format_datetime(datetime(2026, 11, 25, 22, 30, tzinfo=UTC)) == "26 Nov 2026, 9:30 am"
    # In June Sydney is UTC+10 (CLDR's en-AU short month for June is "June").
    assert format_datetime(datetime(2026, 6, 1, 0, 0, tzinfo=UTC)) == "1 June 2026, 10:00 am"
    # Another viewer zone can be asked for.
    assert format_datetime(datetime(2026, 3, 2, tzinfo=UTC), "Australia/Perth") == (
        "2 Mar 2026, 8:00 am"
    )
    assert format_datetime(None) == ""


def test_a_timestamp_falls_on_the_viewer_s_day() -> None:
    # Issue 20.10: 6:55 pm UTC on 3 Dec is 5:55 am on 4 Dec in Sydney; the day shown with the
    # time and the day shown alone (a list's "Last sign-in", the watermark) must agree.
    signed_in = datetime(2026, 12, 3, 18, 55, tzinfo=UTC)
    assert format_datetime(signed_in) == "4 Dec 2026, 5:55 am"
    assert local_date(signed_in) == date(2026, 12, 4)
    assert format_local_date(signed_in) == "4 Dec 2026"
    assert format_local_date(signed_in, "UTC") == "3 Dec 2026"
    assert format_local_date(None) == ""


def test_month_and_day_labels_and_labelled_utc() -> None:
    assert format_month(date(2026, 11, 1)) == "Nov 2026"
    assert format_day_month(date(2026, 11, 25)) == "25 Nov"
    # UTC is shown only when the text says so.
    assert format_utc(datetime(2026, 12, 3, 18, 55, tzinfo=UTC)) == "3 Dec 2026, 6:55 pm UTC"
    assert format_month(None) == format_day_month(None) == format_utc(None) == ""


def test_forms_show_and_read_dates_day_first() -> None:
    """Date fields are typed dd/mm/yyyy whatever the browser's language; ISO still reads
    (links, the API); the US order and impossible dates are refused with the format to use."""
    day = date(2026, 11, 5)
    assert format_short_date(day) == "05/11/2026"
    assert read_date(format_short_date(day)) == day
    assert read_date("5/11/2026") == read_date(" 2026-11-05 ") == day
    assert parse_date("", label="Due date") is None
    for wrong in ("11/25/2026", "31/02/2026", "5 Nov 2026", "2026/11/05"):
        with pytest.raises(
            InvalidInput, match="^Due date is not a valid date: write it as dd/mm/yyyy.$"
        ):
            parse_date(wrong, label="Due date")
