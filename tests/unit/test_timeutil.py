from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.timeutil import days_until, format_duration, from_iso, iso_z, parse_duration, parse_since

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("15m", 900), ("6h", 21600), ("1d", 86400),
                                          ("2w", 1209600), ("500ms", 0.5), ("1.5h", 5400)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["6x", "", "h", "-1h", "0s", "1 day"])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="is not"):
        parse_duration(text)


def test_format_duration_round_trips():
    for text in ["30s", "15m", "6h", "1d", "2w"]:
        assert format_duration(parse_duration(text)) == text


def test_parse_since():
    assert parse_since("7d", now=NOW) == NOW - timedelta(days=7)
    assert parse_since("2025-09-01", now=NOW) == datetime(2025, 9, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date"):
        parse_since("yesterday", now=NOW)


def test_iso_round_trip_and_days():
    assert iso_z(NOW) == "2025-09-18T10:00:00Z"
    assert from_iso("2025-09-18T10:00:00Z") == NOW
    assert days_until(date(2025, 11, 3), now=NOW) == 46
