"""HTML -> clause lines, the same shape `monitor.extract.markdown` gives.

One clause per line, in document order: headings `## Title`, paragraphs, list items `- text`, table rows
`cell | cell`, dt/dd, blockquote paragraphs and loose text in containers; inline markup reduced to its text,
whitespace folded by `monitor.text.fold`.

    extract_clauses(html, select=["main"], remove=[".promo"], ignore=[r"Last updated: .*"], source="x/terms")

What is removed: `monitor.extract.rules`; relative dates are cut (`monitor.extract.volatile`). A page
without `select`/`remove` is read from lxml's tree (`monitor.extract.fast`); one with them through
BeautifulSoup (`monitor.extract.soup`). lxml, BeautifulSoup and soupsieve are imported on first use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from monitor.errors import ExtractError
from monitor.extract.volatile import cut_volatile
from monitor.models import RangeSelector
from monitor.text import fold, has_controls, strip_controls

EXTRACTOR_VERSION = 2


@lru_cache(maxsize=64)
def _compile_ignore(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _without_controls(clauses: list[str]) -> list[str]:
    """The clauses without C0/C1 control characters (one scan of their joined text; page text is data)."""
    if not has_controls("\n".join(clauses)):
        return clauses
    return [clause for clause in (fold(strip_controls(c)) for c in clauses) if clause]


def extract_clauses(html: str, *, select: Sequence[str | RangeSelector] = (),
                    remove: Sequence[str | RangeSelector] = (), ignore: Sequence[str] = (),
                    source: str = "") -> list[str]:
    """The clause lines of an HTML page. Raises ExtractError when a `select` selector (or either end of a
    range) matches nothing or the page yields no text. `remove` (CSS selectors and ranges, in order) is
    applied before `select`. `ignore` regexes are cut from each clause before it is kept."""
    prefix = f"{source}: " if source else ""
    try:
        ignore_re = _compile_ignore(tuple(ignore))
    except re.error as exc:
        raise ExtractError(f"{prefix}invalid ignore pattern: {exc}") from exc
    if "\x00" in html:         # lxml reads a NUL as U+FFFD; the other controls are cut from the clauses
        html = html.replace("\x00", "")
    if not select and not remove and isinstance(html, str):
        from monitor.extract.fast import fast_clauses

        fast = fast_clauses(html, ignore_re)
        if fast is not None:
            fast = cut_volatile(_without_controls(fast))
            if not fast:
                raise ExtractError(f"{prefix}no text extracted")
            return fast
    from monitor.extract.soup import soup_clauses

    clauses = cut_volatile(_without_controls(soup_clauses(html, select, remove, ignore_re, prefix)))
    if not clauses:
        raise ExtractError(f"{prefix}no text extracted")
    return clauses
