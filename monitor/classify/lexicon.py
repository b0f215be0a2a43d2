"""The language packs' tables in the shapes the rules, the date extractor and the opt-out finder read.

Nothing here is language-specific: every word lives in a pack (`monitor/classify/languages/<code>.py`); this
module only indexes the packs by language or unites them where a rule looks for a word of any language (the
pre-filter, the AI acronyms, the words around dates and settings paths).
"""

from __future__ import annotations

from typing import Final

from monitor.classify.languages import PACKS


def _union(attribute: str) -> tuple[str, ...]:
    """One attribute of every pack, in pack order, without repeats."""
    return tuple(dict.fromkeys(word for p in PACKS.values() for word in getattr(p, attribute)))


SUPPORTED_LANGUAGES: Final = tuple(PACKS)

#: Term groups per language (plus "function": the pack's detection words).
TERMS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    code: {**p.terms, "function": p.function_words} for code, p in PACKS.items()}

#: Month names (and common abbreviations) -> month number, per language.
MONTHS: Final[dict[str, dict[str, int]]] = {code: dict(p.months) for code, p in PACKS.items()}

#: Numeric dates: day-month-year, or month-day-year when ambiguous (US English).
DATE_ORDER: Final[dict[str, str]] = {code: p.date_order for code, p in PACKS.items()}

#: Lower-case stems of which one occurs in every clause the rules can flag (a cheap substring pre-filter).
PREFILTER_STEMS: Final = _union("prefilter_stems")
#: Case-sensitive AI acronyms of every language (regex fragments).
ACRONYMS: Final = _union("acronyms")
#: Words between a date-role cue and its date, of every language.
DATE_FILLERS: Final = _union("date_fillers")
#: Stems of "update / amend" verbs, of every language.
UPDATE_STEMS: Final = _union("update_stems")
#: Words that introduce a settings path, of every language.
OPTOUT_STOP_WORDS: Final = frozenset(_union("optout_stop_words"))
#: Words that end a settings path, of every language.
CLAUSE_END_WORDS: Final = _union("clause_end_words")
#: Verbs that follow a settings path, of every language.
TRAILING_VERBS: Final = _union("trailing_verbs")
#: Abbreviations whose period ends no sentence ("e.g", "z. B", "p. ex"), of every language, lower case.
ABBREVIATIONS: Final = tuple(dict.fromkeys(a.lower() for a in _union("abbreviations")))
