"""Times in rendered text: UTC by default, the local zone (with its offset, and its calendar day) when asked."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from monitor.models import Change, SearchHit
from monitor.render import change_line, search_line, when

LATE = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)


@pytest.fixture
def kolkata(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_local_times_and_days(kolkata):
    assert when(LATE) == "2026-01-05T20:00:00Z"
    assert when(LATE, local=True) == "2026-01-06T01:30:00+05:30"
    change = Change(id=7, document_id="a/b", service_name="A", url="http://x/", detected_at=LATE, from_version=1,
                    to_version=2, added=1, removed=0, modified=0)
    assert change_line(change).startswith("#7    2026-01-05  a/b")
    assert change_line(change, local=True).startswith("#7    2026-01-06  a/b")
    hit = SearchHit(document_id="a/b", version=2, at=LATE, kind="added", text="x", change_id=7)
    assert "  2026-01-06  #7 added" in search_line(hit, ["x"], local=True)
    assert "  2026-01-05  #7 added" in search_line(hit, ["x"])


def test_days_left_are_counted_in_singular_and_plural():
    """`show` and `flags` said "(in 1 days)" for tomorrow's date and "(1 days ago)" for yesterday's."""
    from datetime import date

    from monitor.models import Category, DateRole, Flag, FlagDate
    from monitor.render import flag_block

    days = {"tomorrow": date(2026, 1, 6), "yesterday": date(2026, 1, 4), "later": date(2026, 1, 8),
            "today": date(2026, 1, 5)}
    flag = Flag(category=Category("ai_training"), score=0.9, clause="c",
                dates=tuple(FlagDate(text=k, date=d, role=DateRole("other")) for k, d in days.items()))
    lines = "\n".join(flag_block([flag], now=LATE))
    assert "(in 1 day) — “tomorrow”" in lines and "(1 day ago) — “yesterday”" in lines
    assert "(in 3 days) — “later”" in lines and "(today) — “today”" in lines
