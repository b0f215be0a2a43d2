"""Time helpers: tz-aware UTC everywhere, durations like `6h`, relative dates like `7d`."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

from monitor.errors import ConfigError

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


#: For tests only: an ISO 8601 instant the process clock starts from (it then runs on in real time), so a
#: test can move a real `tosmon` process, the daemon included, to the days before a deadline.
NOW_ENV = "TOSMON_NOW"


_clock: dict[str | None, timedelta] = {}   # the value of $TOSMON_NOW last seen -> its offset


def _offset(start: str) -> timedelta:
    """How far `$TOSMON_NOW` moves the clock: fixed when this process first sees that value, anew after the
    variable changed (or was unset)."""
    if start not in _clock:
        try:
            moment = from_iso(start)
        except ValueError:
            raise ConfigError(f"{NOW_ENV}={start!r} is not an ISO 8601 time") from None
        _clock.clear()
        _clock[start] = moment - datetime.now(UTC)
    return _clock[start]


def utc_now() -> datetime:
    """The current time, tz-aware UTC (moved by `$TOSMON_NOW` when a test sets it)."""
    start = os.environ.get(NOW_ENV)
    if not start:
        _clock.clear()
        return datetime.now(UTC)
    return datetime.now(UTC) + _offset(start)


def parse_duration(text: str) -> timedelta:
    """Parse `30s`, `15m`, `6h`, `1d`, `2w` (also `500ms`, `1.5h`) into a timedelta.

    >>> parse_duration("6h")
    datetime.timedelta(seconds=21600)
    """
    match = _DURATION_RE.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration (use e.g. 30s, 15m, 6h, 1d)")
    value = float(match.group(1)) * _UNITS[match.group(2)]
    if value <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return timedelta(seconds=value)


def format_duration(delta: timedelta) -> str:
    """The shortest exact `parse_duration` spelling of a timedelta (`21600s` -> `6h`)."""
    seconds = delta.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """Parse a command-line date: `YYYY-MM-DD`, an ISO timestamp, or relative `7d`, `2w`, `12h`."""
    text = text.strip()
    now = now or utc_now()
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    except OverflowError:  # `99999999999d`: before year 1
        raise ValueError(f"{text!r} is too far in the past") from None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD or a relative form like 7d)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z` suffix and whole seconds: `2025-09-18T10:00:00Z`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    """Inverse of `iso_z` (accepts any ISO 8601 timestamp; naive ones are taken as UTC)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def days_until(day: date, *, now: datetime) -> int:
    """Whole days from `now`'s UTC date to `day` (negative when past)."""
    return (day - now.astimezone(UTC).date()).days
