"""Every language pack is complete: each term group the rules and the date roles read, twelve months, and
fragments that compile."""

from __future__ import annotations

import re

import pytest

from monitor.classify.languages import DATE_GROUPS, PACKS, RULE_GROUPS, LanguagePack
from monitor.classify.rules import patterns

LANGS = sorted(PACKS)


@pytest.mark.parametrize("code", LANGS)
def test_pack_has_every_group(code: str) -> None:
    pack: LanguagePack = PACKS[code]
    assert pack.code == code
    missing = [g for g in (*RULE_GROUPS, *DATE_GROUPS) if not pack.group(g)]
    assert not missing, f"{code} lacks term groups {missing}"
    unknown = set(pack.terms) - {*RULE_GROUPS, *DATE_GROUPS}
    assert not unknown, f"{code} has groups no rule reads: {unknown}"
    for name in ("function_words", "acronyms", "prefilter_stems", "date_fillers", "update_stems",
                 "optout_stop_words", "clause_end_words"):
        assert getattr(pack, name), f"{code}.{name} is empty"
    assert pack.date_order in ("DMY", "MDY")


@pytest.mark.parametrize("code", LANGS)
def test_pack_has_twelve_months(code: str) -> None:
    months = PACKS[code].months
    assert set(months.values()) == set(range(1, 13))
    assert all(name == name.lower() for name in months)


@pytest.mark.parametrize("code", LANGS)
def test_pack_fragments_compile(code: str) -> None:
    pack = PACKS[code]
    for group, frags in pack.terms.items():
        for frag in frags:
            re.compile(frag, re.IGNORECASE)    # raises re.error with the fragment in the traceback
        assert group
    for frag in (*pack.acronyms, *pack.date_fillers, *pack.trailing_verbs):
        re.compile(frag)
    compiled = patterns(code)
    assert set(RULE_GROUPS) <= set(compiled)


@pytest.mark.parametrize("code", LANGS)
def test_pack_words_are_lower_case_where_matched_as_words(code: str) -> None:
    pack = PACKS[code]
    for words in (pack.function_words, pack.prefilter_stems, pack.optout_stop_words, pack.update_stems):
        assert all(w == w.lower() and w.strip() == w for w in words), words
