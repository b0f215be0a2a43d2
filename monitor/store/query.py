"""FTS5 queries applied line by line: the baseline index keeps no token positions (detail=column), so the
store finds candidate versions by their words and checks phrases, prefixes, NOT and OR on each line here."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable


def plain(text: str) -> str:
    """Lowercase without diacritics, as the FTS5 tokenizer sees words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def line_matcher(query: str) -> tuple[Callable[[str], bool], list[str]]:
    """A test of one (accent-free, lower-case) line against an FTS5-style query (words, "phrases", word*,
    NOT, OR), and the query's plain words."""
    required: list[re.Pattern[str]] = []
    excluded: list[re.Pattern[str]] = []
    words: list[str] = []
    any_of = False
    negate = False
    for token in re.findall(r'"[^"]*"|\S+', query):
        upper = token.upper()
        if upper in ("AND", "NEAR"):
            continue
        if upper == "OR":
            any_of = True
            continue
        if upper == "NOT":
            negate = True
            continue
        prefix = token.endswith("*")
        parts = plain(token.strip('"').rstrip("*")).split()
        if not parts:
            continue
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, parts)) + (r"\w*" if prefix else r"(?!\w)"))
        (excluded if negate else required).append(pattern)
        if not negate:
            words += parts
        negate = False
    combine = any if any_of else all

    def matches(line: str) -> bool:
        return combine(p.search(line) for p in required) and not any(p.search(line) for p in excluded)

    return matches, words
