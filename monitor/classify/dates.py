"""Absolute dates in clause text, with their role (effective, deadline, other).

Candidates are found with per-language regexes ("3 novembre 2025", "1er octobre", "November 3, 2025",
"3. November 2025", "3 de noviembre de 2025", "3 listopada 2025 r.", "2025-11-03", "03/11/2025"); the day order
of numeric dates follows the language (DMY; English is written both ways, so "09/08/2024" takes the reading
nearer the version's date: terms announce dates weeks ahead, not a season apart). Each candidate is normalised and
parsed by dateparser restricted to the language (imported lazily: it is slow to load). A date without a year
takes the year that the dated dates around it imply, else the first such day on or after `now` — the date of
the version the text comes from, never the wall clock — and never a year more than `MAX_YEARS_AHEAD` after it.
The role comes from the cue that ends right before the date ("à compter du", "bis zum", "Last updated:").
Nothing here raises.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from monitor.classify.lexicon import DATE_FILLERS, DATE_ORDER, MONTHS, SUPPORTED_LANGUAGES, TERMS, UPDATE_STEMS
from monitor.models import DateRole, FlagDate

MAX_TEXT = 20_000
MAX_YEARS_AHEAD = 10          # a year-less date is never put further than this after the version's date
_DIGIT_RE = re.compile(r"\d")
_SPACE = r"[\s\u00a0\u202f]"
_FILLERS = "(?:" + "|".join(DATE_FILLERS) + ")"     # "until the", "bis zum", "jusqu'au": the packs' fillers


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """A date-shaped piece of text before parsing."""

    text: str
    start: int
    end: int
    day: int
    month: int
    year: int | None
    month_word: str | None   # the month as written, for dateparser; None for numeric dates
    ambiguous: bool = False  # numeric, day and month <= 12, in a language written both MDY and DMY (English)


def _month_alternation(language: str) -> str:
    names = set(MONTHS.get(language, {}))
    if language != "en":
        names |= {n for n, _ in MONTHS["en"].items() if len(n) > 3}
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))


@lru_cache(maxsize=16)
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    months = _month_alternation(language)
    dmy = re.compile(
        rf"(?<![\w./-])(?P<day>[0-3]?\d)(?:\.|er|re|e|°|º|st|nd|rd|th)?{_SPACE}*(?:de{_SPACE}+)?"
        rf"(?P<month>{months})\.?(?!\w)(?:,?{_SPACE}*(?:de{_SPACE}+|del{_SPACE}+)?(?P<year>(?:19|20)\d\d)(?!\d)"
        rf"(?:{_SPACE}?r\.)?)?", re.IGNORECASE)
    mdy = re.compile(
        rf"(?<![\w])(?P<month>{months})\.?{_SPACE}+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?![\d:])"
        rf"(?:,?{_SPACE}*(?P<year>(?:19|20)\d\d)(?!\d))?", re.IGNORECASE)
    iso = re.compile(r"(?<![\w./-])(?P<year>(?:19|20)\d\d)-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?![\w-])")
    numeric = re.compile(
        rf"(?<![\w./-])(?P<a>[0-3]?\d)(?P<sep>[./-])(?P<b>[01]?\d)(?P=sep)(?P<year>(?:19|20)\d\d)(?![\w-])"
        rf"(?:{_SPACE}?r\.)?")
    return dmy, mdy, iso, numeric


def _month_number(word: str, language: str) -> int | None:
    word = word.lower().rstrip(".")
    return MONTHS.get(language, {}).get(word) or MONTHS["en"].get(word)


def candidates(text: str, language: str) -> list[Candidate]:
    """Date-shaped spans of `text`, leftmost first, without overlaps."""
    lang = language if language in SUPPORTED_LANGUAGES else "en"
    text = text[:MAX_TEXT]
    if not _DIGIT_RE.search(text):
        return []
    dmy, mdy, iso, numeric = _patterns(lang)
    found: list[Candidate] = []
    for m in dmy.finditer(text):
        month = _month_number(m.group("month"), lang)
        if month:
            year = int(m.group("year")) if m.group("year") else None
            found.append(Candidate(text=m.group(0).strip(), start=m.start(), end=m.end(), day=int(m.group("day")),
                                   month=month, year=year, month_word=m.group("month")))
    for m in mdy.finditer(text):
        month = _month_number(m.group("month"), lang)
        if month and (lang == "en" or m.group("year")):
            year = int(m.group("year")) if m.group("year") else None
            found.append(Candidate(text=m.group(0).strip(), start=m.start(), end=m.end(),
                                   day=int(m.group("day")), month=month, year=year, month_word=m.group("month")))
    for m in iso.finditer(text):
        found.append(Candidate(text=m.group(0), start=m.start(), end=m.end(), day=int(m.group("day")),
                               month=int(m.group("month")), year=int(m.group("year")), month_word=None))
    for m in numeric.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        if DATE_ORDER.get(lang) == "MDY" and a <= 12:
            month, day = a, b
        else:
            day, month = a, b
        ambiguous = DATE_ORDER.get(lang) == "MDY" and a != b and max(a, b) <= 12
        found.append(Candidate(text=m.group(0), start=m.start(), end=m.end(), day=day, month=month,
                               year=int(m.group("year")), month_word=None, ambiguous=ambiguous))
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for cand in found:
        if kept and cand.start < kept[-1].end:
            continue
        kept.append(cand)
    return kept


@lru_cache(maxsize=4096)
def _dateparser_parse(text: str, language: str, order: str) -> date | None:
    """dateparser, imported on first use, silenced and never raising."""
    try:
        import dateparser
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    settings: dict[str, Any] = {"DATE_ORDER": order, "REQUIRE_PARTS": ["day", "month", "year"],
                                "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = dateparser.parse(text, languages=[language], settings=settings)
        except Exception:  # dateparser raises assorted errors on odd input; a date we cannot read is no date
            return None
    return parsed.date() if isinstance(parsed, datetime) else None


def parse_candidate(cand: Candidate, language: str, year: int) -> date | None:
    """The calendar date of a candidate in a given year, or None when it does not exist (31 février)."""
    if not (1 <= cand.month <= 12 and 1 <= cand.day <= 31 and 1900 <= year <= 2199):
        return None
    lang = language if language in SUPPORTED_LANGUAGES else "en"
    if cand.month_word is not None:
        word = cand.month_word.rstrip(".")
        in_lang = word.lower() in MONTHS.get(lang, {})
        parsed = _dateparser_parse(f"{cand.day} {word} {year}", lang if in_lang else "en", "DMY")
    else:
        parsed = _dateparser_parse(f"{year:04d}-{cand.month:02d}-{cand.day:02d}", lang, "YMD")
    if parsed is None or (parsed.month, parsed.day) != (cand.month, cand.day):
        return None
    return parsed


def infer_year(cand: Candidate, language: str, *, references: Sequence[date], now: datetime) -> int | None:
    """The year of a date written without one: the one that puts it nearest the reference dates (within 400
    days), else the first such day on or after `now` (the version's date). Never more than `MAX_YEARS_AHEAD`
    years after `now`."""
    today = now.date()
    latest = today.year + MAX_YEARS_AHEAD
    best: tuple[int, int] | None = None
    for ref in references:
        for year in (ref.year - 1, ref.year, ref.year + 1):
            if not 1900 <= year <= latest:
                continue
            try:
                day = date(year, cand.month, cand.day)
            except ValueError:
                continue
            distance = abs((day - ref).days)
            if best is None or distance < best[0]:
                best = (distance, year)
    if best is not None and best[0] <= 400:
        return best[1]
    for year in range(today.year, min(today.year + 5, latest + 1)):
        try:
            if date(year, cand.month, cand.day) >= today:
                return year
        except ValueError:
            continue
    return None


@lru_cache(maxsize=16)
def _role_patterns(language: str) -> tuple[tuple[DateRole, re.Pattern[str]], ...]:
    lang = language if language in TERMS else "en"
    out = []
    for group, role in (("effective", DateRole.EFFECTIVE), ("deadline", DateRole.DEADLINE),
                        ("updated", DateRole.OTHER)):
        frags = TERMS[lang].get(group, ())
        if lang != "en":
            frags = frags + tuple(f for f in TERMS["en"][group] if len(f) > 6)
        alternation = "|".join(f"(?:{f})" for f in frags)
        out.append((role, re.compile(rf"(?<!\w)(?:{alternation})(?:{_SPACE}+{_FILLERS})?{_SPACE}*[:\-–]?{_SPACE}*$",
                                     re.IGNORECASE)))
    return tuple(out)


_ANNOUNCE_AFTER = re.compile(r"^[\s,]{0,3}(?:\w+\s+){0,4}?(?:" + "|".join(UPDATE_STEMS) + ")", re.IGNORECASE)


# Words that make a line about the document itself (its terms, policy, notice, version, update).
# TODO(language packs): per-language data, like _ANNOUNCE_AFTER above.
_DOCUMENT_RE = re.compile(
    r"(?<!\w)(?:terms|polic|notice|agreement|statement|conditions|version|versio|versã|wersj|politique|avis|"
    r"contrat|charte|bedingung|richtlinie|erklärung|hinweis|vertrag|términos|condicion|política|aviso|termini|"
    r"condizion|informativ|voorwaarden|verklaring|beleid|termos|regulamin|polityk|villkor|integritetspolicy|"
    r"updat|amend|revis|aktualis|actualiz|aggiorn|wijzig|atualiz|zmieni|uppdater|mis[es]? à jour)", re.IGNORECASE)
_WORD_RE = re.compile(r"\w+")
_DATELINE_TAIL = 6            # words after the date that a dateline ("Effective on ...; download a PDF") has


def document_line(text: str, found: FoundDate) -> bool:
    """Whether a cued effective or "last updated" date belongs to the document rather than to its sentence:
    an update cue, a line about the document itself, or a dateline (the cue opens the line and little
    follows the date: "Effective Date: March 31, 2023", "Gültig ab 27. Mai 2025")."""
    if not found.cued or found.flag_date.role is DateRole.DEADLINE:
        return False
    if found.flag_date.role is DateRole.OTHER or _DOCUMENT_RE.search(text):
        return True
    opening = text[:found.start].strip(" \t#*>-–|:.")
    tail = text[found.start + len(found.flag_date.text):]
    return len(_WORD_RE.findall(opening)) <= 5 and len(_WORD_RE.findall(tail)) <= _DATELINE_TAIL


def role_of(text: str, start: int, end: int, language: str) -> DateRole | None:
    """The role the words just before a date give it, or None when no cue precedes it."""
    prefix = text[max(0, start - 80):start]
    best: tuple[int, DateRole] | None = None
    for role, pattern in _role_patterns(language):
        m = pattern.search(prefix)
        if m and (best is None or len(m.group(0)) > best[0]):
            best = (len(m.group(0)), role)
    if best is not None:
        return best[1]
    announce = TERMS.get(language, TERMS["en"]).get("announce", ())
    if any(re.search(rf"(?<!\w){a}{_SPACE}*$", prefix, re.IGNORECASE) for a in announce + ("on",)):
        if _ANNOUNCE_AFTER.search(text[end:end + 80]):
            return DateRole.EFFECTIVE
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundDate:
    """A parsed date, where it was, and whether a cue set its role."""

    flag_date: FlagDate
    start: int
    cued: bool
    inferred: bool = False   # written without its year


def find_dates(text: str, language: str, *, now: datetime, references: Iterable[date] = ()) -> list[FoundDate]:
    """Every absolute date of `text` with its role. Year-less dates take their year from the text's own dated
    dates, then `references`, then the first such day on or after `now` (the version's date). Never raises."""
    try:
        return _find_dates(text[:MAX_TEXT], language, now=now, references=tuple(references))
    except (RecursionError, ValueError, OverflowError):  # defensive: a text we cannot read has no dates
        return []


def _find_dates(text: str, language: str, *, now: datetime, references: tuple[date, ...]) -> list[FoundDate]:
    cands = candidates(text, language)
    full: list[tuple[Candidate, date]] = []
    for cand in cands:
        if cand.year is not None:
            parsed = parse_candidate(cand, language, cand.year)
            if parsed is not None and cand.ambiguous:   # the reading nearer the version's date: terms announce
                swapped = parse_candidate(replace(cand, day=cand.month, month=cand.day), language, cand.year)
                if swapped is not None and abs(swapped - now.date()) < abs(parsed - now.date()):
                    parsed = swapped                     # dates weeks away, not a season apart
            if parsed is not None:
                full.append((cand, parsed))
    own_refs = [d for _, d in full]
    parsed_by_start = {c.start: d for c, d in full}
    out: list[FoundDate] = []
    for cand in cands:
        day = parsed_by_start.get(cand.start)
        if day is None and cand.year is None:
            year = infer_year(cand, language, references=own_refs or list(references), now=now)
            day = parse_candidate(cand, language, year) if year is not None else None
        if day is None:
            continue
        role = role_of(text, cand.start, cand.end, language)
        out.append(FoundDate(flag_date=FlagDate(text=cand.text, date=day, role=role or DateRole.OTHER),
                             start=cand.start, cued=role is not None, inferred=cand.year is None))
    return out


def extract_dates(text: str, language: str, *, now: datetime, references: Iterable[date] = ()) -> list[FlagDate]:
    """`find_dates` without positions: the FlagDates of a text."""
    return [found.flag_date for found in find_dates(text, language, now=now, references=references)]
