"""Search queries: any user string is parsed here into words, "phrases", word*, NOT and OR, and turned into
an FTS5 query that cannot be a syntax error (every term is quoted, split into words the way FTS5's unicode61
tokenizer splits them: `opt-out`, `e-mail`, `d'IA`, `jusqu'au` become phrases). The baseline index keeps no
token positions (detail=column), so the store finds candidate versions by their words and applies the query
to each line here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from monitor.errors import ConfigError

#: What FTS5's unicode61 tokenizer keeps as token characters: letters and digits (underscore separates).
_WORD = re.compile(r"[^\W_]+")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def plain(text: str) -> str:
    """Lowercase without diacritics, as the FTS5 tokenizer sees words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    """The plain words of a text, split as FTS5 splits them (hyphens and apostrophes separate words)."""
    return _WORD.findall(plain(text))


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: a word or a phrase (several words in a row), optionally a prefix, optionally NOT."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False

    def fts(self) -> str:
        """The term as an FTS5 string: quoted, so no character of it is syntax."""
        return '"' + " ".join(self.words).replace('"', '""') + '"' + ("*" if self.prefix else "")

    def pattern(self) -> re.Pattern[str]:
        """A regex over plain text matching the term as whole words in a row."""
        body = r"[\W_]+".join(map(re.escape, self.words))
        return re.compile(r"(?<![^\W_])" + body + (r"\w*" if self.prefix else r"(?![^\W_])"))


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search: terms all required (or any of them with OR), minus the NOT terms."""

    terms: tuple[Term, ...]
    any_of: bool = False

    @property
    def required(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    @property
    def words(self) -> list[str]:
        """The words of the required terms (for candidates and highlighting)."""
        return [w for t in self.required for w in t.words]

    def fts(self) -> str:
        """The FTS5 MATCH expression: `("a" AND "b c") NOT "d"`."""
        joined = (" OR " if self.any_of else " AND ").join(t.fts() for t in self.required)
        return f"({joined})" + "".join(f" NOT {t.fts()}" for t in self.terms if t.negated)

    def matches(self, line: str) -> bool:
        """Whether one (plain) line satisfies the query."""
        combine = any if self.any_of else all
        return (combine(t.pattern().search(line) for t in self.required)
                and not any(t.pattern().search(line) for t in self.terms if t.negated))


def parse_query(query: str) -> Query:
    """Parse a user's search string; a string with no word to look for is a ConfigError (one line)."""
    query = query.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from undecodable argv bytes
    terms: list[Term] = []
    any_of = negate = False
    for token in re.findall(r'"[^"]*"|[^\s"]+|"', query):
        upper = token.upper()
        if upper in _OPERATORS:
            any_of |= upper == "OR"
            negate = upper == "NOT"
            continue
        prefix = token.rstrip('")').endswith("*")
        words = words_of(token)
        if words:
            terms.append(Term(tuple(words), prefix=prefix, negated=negate))
        negate = False
    if not any(not t.negated for t in terms):
        shown = query.strip()[:60]
        raise ConfigError(f"{shown!r} has no word to search for (give at least one word that is not after NOT)",
                          key="search")
    return Query(tuple(terms), any_of=any_of)

