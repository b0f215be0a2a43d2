"""Language of a clause or document, by a vote of each pack's function words (and, for short text, its
letters). A word that several languages share ("de", "en", "que") gives each of them an equal share of one
vote, so only words that tell languages apart decide. No model is loaded: memory stays flat (py3langid,
used before, cost about 110 MB of peak RSS and was no more accurate on the corpora, see README)."""

from __future__ import annotations

import re
from functools import cache

from monitor.classify.languages import PACKS

SAMPLE_CHARS = 4000
LETTER_WEIGHT = 0.5          # one distinctive letter counts half a function word
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_ADDRESS_RE = re.compile(r"\(?(?:https?://|www\.|mailto:)[^\s)]*\)?|[\w.+-]+@[\w.-]+", re.IGNORECASE)


@cache
def _word_votes() -> dict[str, tuple[tuple[str, float], ...]]:
    """Each function word and month name -> the languages it belongs to, with its share of one vote."""
    owners: dict[str, list[str]] = {}
    for code, pack in PACKS.items():
        for word in {*pack.function_words, *(m for m in pack.months if len(m) > 3)}:
            owners.setdefault(word.lower(), []).append(code)
    return {word: tuple((code, 1.0 / len(codes)) for code in codes) for word, codes in owners.items()}


@cache
def _letter_votes() -> dict[str, tuple[tuple[str, float], ...]]:
    owners: dict[str, list[str]] = {}
    for code, pack in PACKS.items():
        for letter in pack.letters:
            owners.setdefault(letter, []).append(code)
    return {letter: tuple((code, LETTER_WEIGHT / len(codes)) for code in codes) for letter, codes in owners.items()}


def scores(text: str) -> list[tuple[float, str]]:
    """The vote of every supported language for `text`, best first."""
    sample = _ADDRESS_RE.sub(" ", text[:SAMPLE_CHARS])     # URLs and e-mail addresses are no language
    votes = dict.fromkeys(PACKS, 0.0)
    words = _word_votes()
    for word in _WORD_RE.findall(sample):
        if len(word) > 1 and word.isupper():
            continue    # an acronym or a name in capitals ("AI" is no Italian "ai")
        for code, weight in words.get(word.lower(), ()):
            votes[code] += weight
    letters = _letter_votes()
    for char in sample.lower():
        for code, weight in letters.get(char, ()):
            votes[code] += weight
    return sorted(((v, code) for code, v in votes.items()), key=lambda vc: (-vc[0], vc[1] != "en", vc[1]))


def detect_language(text: str) -> str | None:
    """The language of `text` among the supported ones ("en", "fr", ...), or None when it has no letters.
    Text that no word of any pack tells apart ("SHIELD AI Technologies") reads as English, the language of
    technical names."""
    if not _WORD_RE.search(text[:SAMPLE_CHARS]):
        return None
    best, code = scores(text)[0]
    return code if best > 0 else "en"
