"""Property tests for date attribution: the extractor never raises, and no date written without its year is
put more than ten years after the version's date (whatever the version's date and the other dates nearby)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.classify import classify
from monitor.classify.dates import MAX_YEARS_AHEAD, find_dates
from monitor.diff import diff_clauses

LANGS = st.sampled_from(["en", "fr", "de", "es", "it", "nl", "pt", "pl", "sv", "xx"])
VERSION = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC))
WORDS = st.sampled_from(["3 novembre", "31 January", "29 February", "November 3", "1er octobre", "3. November",
                         "2099", "2150", "1901", "2025", "until", "jusqu'au", "before", "From", "Effective:",
                         "train", "AI", "models", "your posts", "object", "Settings > Privacy", "de", "mayo",
                         "15/01/2026", "2031-02-29", ",", ".", "\u00a0", "Last updated:", "#"])
TEXT = st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=40).map(" ".join))
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_YEAR = re.compile(r"(?:19|20)\d\d")


def latest(version: datetime) -> date:
    return date(version.year + MAX_YEARS_AHEAD, 12, 31)


@SETTINGS
@given(text=TEXT, lang=LANGS, version=VERSION, refs=st.lists(st.dates(), max_size=3))
def test_find_dates_never_raises_and_year_less_dates_stay_near_the_version(text, lang, version, refs) -> None:
    for found in find_dates(text, lang, now=version, references=refs):
        if found.inferred:
            assert found.flag_date.date <= latest(version)
            assert not _YEAR.search(found.flag_date.text)


@SETTINGS
@given(old=st.lists(TEXT, max_size=3), new=st.lists(TEXT, max_size=4), version=VERSION,
       lang=st.one_of(st.none(), LANGS))
def test_flag_dates_written_without_a_year_stay_near_the_version(old, new, version, lang) -> None:
    for flag in classify(diff_clauses(old, new), new, language=lang, now=version):
        for d in (*flag.dates, *flag.previous_dates):
            if not _YEAR.search(d.text):
                assert d.date <= latest(version)
