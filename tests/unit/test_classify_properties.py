"""Property tests: the classifier and the date extractor never raise, whatever the text."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.classify import classify, detect_language
from monitor.classify.dates import extract_dates
from monitor.classify.optout import find_opt_out
from monitor.diff import diff_clauses

NOW = datetime(2025, 9, 18, tzinfo=UTC)
LANGS = st.sampled_from(["en", "fr", "de", "es", "it", "nl", "pt", "pl", "sv", "xx"])
WORDS = st.sampled_from(["train", "AI", "models", "vos données", "entraîner", "IA", "jusqu'au", "31", "février",
                         "2025", "3.", "November", "> Settings >", "opt out", "not", "you may not", "scrape",
                         "29/02/2025", "2025-13-45", "1er", "de", "mayo", "#", "- ", "\u00a0", ".", ":", "(", "’"])
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=60).map(" ".join))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=TEXT, lang=LANGS)
def test_dates_never_raise(text: str, lang: str) -> None:
    for d in extract_dates(text, lang, now=NOW):
        assert d.text and d.date.year >= 1900


@SETTINGS
@given(old=st.lists(TEXT, max_size=5), new=st.lists(TEXT, max_size=5), lang=st.one_of(st.none(), LANGS))
def test_classify_never_raises(old: list[str], new: list[str], lang: str | None) -> None:
    for flag in classify(diff_clauses(old, new), new, language=lang, now=NOW):
        assert 0.0 <= flag.score <= 1.0


@SETTINGS
@given(text=TEXT, lang=LANGS)
def test_hints_and_language_never_raise(text: str, lang: str) -> None:
    find_opt_out(text, lang)
    detect_language(text)


def test_huge_clause_and_nonsense_dates() -> None:
    huge = ("Nous utiliserons vos données pour entraîner nos modèles d'IA à compter du 31 février 2025. " * 3000
            + "(" * 5000 + "> " * 5000)
    flags = classify(diff_clauses([], [huge]), [huge], now=NOW)
    assert all(not d.date.isoformat().endswith("02-31") for f in flags for d in f.dates)
    assert extract_dates("31 février 2025 " * 2000, "fr", now=NOW) == []


STRUCTURED = st.lists(st.one_of(WORDS, st.sampled_from([" | ", " * ", "e.g.", "z. B.", ":", "## ", "<br>"])),
                      max_size=80).map(" ".join)


@SETTINGS
@given(old=st.lists(STRUCTURED, max_size=4), new=st.lists(STRUCTURED, max_size=4), lang=st.one_of(st.none(), LANGS))
def test_classify_never_raises_on_tables_lists_and_headings(old: list[str], new: list[str], lang: str | None) -> None:
    for flag in classify(diff_clauses(old, new), new, language=lang, now=NOW):
        assert flag.clause and not flag.clause.startswith("#")     # a heading is never flagged alone


@SETTINGS
@given(text=st.text(max_size=5000))
def test_language_detector_answers_a_pack_or_none(text: str) -> None:
    from monitor.classify.languages import PACKS
    assert detect_language(text) in (None, *PACKS)
