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
VOLATILE_RE = re.compile(
    "|".join((
        rf"\b{_N}\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago\b",            # en
        rf"\bil y a\s+{_N}\s+(?:seconde|minute|heure|jour|semaine|mois|an|année)s?\b",        # fr
        rf"\bvor\s+{_N}\s+(?:Sekunden?|Minuten?|Stunden?|Tag(?:en)?|Wochen?|Monat(?:en)?|Jahr(?:en)?)\b",  # de
        rf"\bhace\s+{_N}\s+(?:segundos?|minutos?|horas?|d[ií]as?|semanas?|mes(?:es)?|años?)\b",        # es
        rf"\b{_N}\s+(?:secondi?|minuti?|ore|ora|giorni?|settimane?|mes[ei]|anni?)\s+fa\b",             # it
        rf"\b{_N}\s+(?:seconden?|minuten?|uur|uren|dagen?|weken?|maanden?|jaar|jaren)\s+geleden\b",    # nl
        rf"\bh[áa]\s+{_N}\s+(?:segundos?|minutos?|horas?|dias?|semanas?|m[eê]s(?:es)?|anos?)\b",      # pt
        rf"\b{_N}\s+(?:segundos?|minutos?|horas?|dias?|semanas?|m[eê]s(?:es)?|anos?)\s+atr[áa]s\b",  # pt
        r"\b(?:version|build|v)\s?\d+\.\d+\.\d+(?:\.\d+)+\b",           # an app's build number: 1.272.0.363
    )),
    re.IGNORECASE)


_SPACE_BEFORE_STOP = re.compile(r" ([.,;)])")


def cut_volatile(clauses: list[str]) -> list[str]:
    """`clauses` without relative dates. One scan of the joined text; clauses are rebuilt only when found."""
    if not clauses or VOLATILE_RE.search("\n".join(clauses)) is None:
        return clauses
    out = []
    for clause in clauses:
        if VOLATILE_RE.search(clause) is not None:
            clause = _SPACE_BEFORE_STOP.sub(r"\1", fold(VOLATILE_RE.sub("", clause)))
            if not clause or clause in ("-", "- ") or clause.strip("#").strip() == "":
                continue
        out.append(clause)
    return out
