"""Text that changes by itself and is left out of every extraction: relative dates ("Updated: 8 days ago",
"il y a 3 jours", "vor 2 Tagen", "hace 5 días", "3 giorni fa", "2 dagen geleden", "há 4 dias") and the
build number of the site's app ("Version 1.272.0.363": four parts or more).

A page that shows one would otherwise make a change every day. The phrase is cut from its clause (the rest
of the clause stays); a clause left empty is dropped. Absolute dates are never touched: they are what the
classifier reads.
"""

from __future__ import annotations

import re

from monitor.text import fold

_N = r"(?:\d{1,4}|an?|one|two|three|a few|un|une|deux|trois|quelques|einer?|einem|zwei|drei|wenigen|unos?|unas?|" \
     r"dos|tres|due|tre|qualche|een|twee|drie|um|uma|dois|duas|três)"
_PATTERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    # (the words a match must hold, lowercase and with the space around them; the pattern)
    ((" ago",), rf"\b{_N}\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago\b"),                 # en
    (("il y a ",), rf"\bil y a\s+{_N}\s+(?:seconde|minute|heure|jour|semaine|mois|an|année)s?\b"),          # fr
    ((" vor ", "\nvor "),
     rf"\bvor\s+{_N}\s+(?:Sekunden?|Minuten?|Stunden?|Tag(?:en)?|Wochen?|Monat(?:en)?|Jahr(?:en)?)\b"),       # de
    ((" hace ", "\nhace "), rf"\bhace\s+{_N}\s+(?:segundos?|minutos?|horas?|d[ií]as?|semanas?|mes(?:es)?|años?)\b"),
    ((" fa ", " fa.", " fa,", " fa\n", " fa;", " fa)"),
     rf"\b{_N}\s+(?:secondi?|minuti?|ore|ora|giorni?|settimane?|mes[ei]|anni?)\s+fa\b"),                     # it
    ((" geleden",), rf"\b{_N}\s+(?:seconden?|minuten?|uur|uren|dagen?|weken?|maanden?|jaar|jaren)\s+geleden\b"),
    ((" há ", "\nhá ", " ha ", "\nha "),
     rf"\bh[áa]\s+{_N}\s+(?:segundos?|minutos?|horas?|dias?|semanas?|m[eê]s(?:es)?|anos?)\b"),              # pt
    ((" atrás", " atras"), rf"\b{_N}\s+(?:segundos?|minutos?|horas?|dias?|semanas?|m[eê]s(?:es)?|anos?)\s+atr[áa]s\b"),
    (("version", "build"), r"\b(?:version|build)\s?v?\d+\.\d+\.\d+(?:\.\d+)+\b"),    # an app's build: 1.272.0.363
)
_KEYED = tuple((keys, re.compile(pattern, re.IGNORECASE)) for keys, pattern in _PATTERNS)


def _probes(keys: tuple[str, ...]) -> list[tuple[str, int, tuple[str, ...]]]:
    """Fewer substrings to scan for than `keys`, each with its offset in the keys it stands for and those
    keys (of one length): the keys' common prefix when it has 3 characters or more (" fa" for " fa ", " fa.",
    ...), else keys that differ only by a leading space or newline share one ("vor " for " vor ", "\nvor "). Every key
    occurrence is a probe occurrence, checked with startswith: the same occurrences, half the scans."""
    prefix = keys[0]
    for key in keys[1:]:
        while not key.startswith(prefix):
            prefix = prefix[:-1]
    if len(keys) > 1 and len(prefix) >= 3 and len({len(key) for key in keys}) == 1:
        return [(prefix, 0, keys)]
    groups: dict[tuple[str, int], list[str]] = {}
    for key in keys:
        shared = key[0] in " \n" and sum(other[1:] == key[1:] for other in keys) > 1
        probe, offset = (key[1:], 1) if shared else (key, 0)
        groups.setdefault((probe, offset), []).append(key)
    return [(probe, offset, tuple(group)) for (probe, offset), group in groups.items()]


_PROBED = tuple((_probes(keys), regex) for keys, regex in _KEYED)
#: Every pattern at once (for callers that test one string).
VOLATILE_RE = re.compile("|".join(f"(?:{pattern})" for _, pattern in _PATTERNS), re.IGNORECASE)
SHORT_CLAUSE = 300
_WINDOW = 80                    # a match lies within this many characters of its key word
_SPACE_BEFORE_STOP = re.compile(r" ([.,;)])")


def _spans(text: str) -> list[tuple[int, int]]:
    """Where relative dates are in `text` (clauses joined by newlines): each pattern runs only in a small
    window around its key word, found by plain substring search (a scan of the whole text with the
    patterns costs ~25 ms for 50 KB; this, well under a millisecond)."""
    low = "\n" + text.lower()
    if len(low) != len(text) + 1:           # lowercasing changed the length: no offsets to share
        return [(m.start(), m.end()) for m in VOLATILE_RE.finditer(text)]
    spans = []
    for probes, regex in _PROBED:
        for probe, offset, keys in probes:
            found = low.find(probe)
            while found >= 0:
                at = found - offset
                if at >= 0 and low.startswith(keys, at):
                    start = max(low.rfind("\n", 0, at + 1), at - _WINDOW, 0)   # offsets in `text` are one less
                    end = low.find("\n", at + len(keys[0]))
                    end = len(low) if end < 0 or end > at + _WINDOW else end
                    spans += [(m.start(), m.end()) for m in regex.finditer(text, max(start - 1, 0), end - 1)]
                found = low.find(probe, found + 1)
    return sorted(set(spans))


def cut_volatile(clauses: list[str]) -> list[str]:
    """`clauses` without relative dates; clauses are rebuilt only when one is found. Only clauses of at most
    `SHORT_CLAUSE` characters are looked at: a relative date is a page's byline or a list item's, not the
    middle of a paragraph of terms."""
    short = [i for i, clause in enumerate(clauses) if len(clause) <= SHORT_CLAUSE]
    if not short:
        return clauses
    text = "\n".join(clauses[i] for i in short)
    spans = _spans(text)
    if not spans:
        return clauses
    parts, last = [], 0
    for start, end in spans:
        if start >= last:
            parts.append(text[last:start])
            last = end
    parts.append(text[last:])
    out = list(clauses)
    for i, clause in zip(short, "".join(parts).split("\n"), strict=True):
        if clause != clauses[i]:
            clause = _SPACE_BEFORE_STOP.sub(r"\1", fold(clause))
            out[i] = "" if clause.strip("#- ") == "" else clause
    return [clause for clause in out if clause]
