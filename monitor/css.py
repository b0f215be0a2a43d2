"""The one CSS-selector check, shared by the watchlist, the Open Terms Archive import and extraction.

    problem = css_problem("main > .terms")     # None, or why the selector is refused

soupsieve (with bs4 and lxml, ~12 MB) is imported on first use: only for watchlists that have selectors.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import soupsieve


class SelectorError(ValueError):
    """A CSS selector soupsieve refuses; the message is one line."""


@lru_cache(maxsize=64)
def compile_css(selectors: tuple[str, ...]) -> soupsieve.SoupSieve:
    """The selectors joined with `, ` and compiled; SelectorError (one line) when they are invalid."""
    import soupsieve

    try:
        return soupsieve.compile(", ".join(selectors))
    except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError, RecursionError) as exc:
        # NotImplementedError: pseudo-elements ("::before"); RecursionError: absurdly nested selectors
        raise SelectorError((str(exc).splitlines() or [type(exc).__name__])[0]) from None


def css_problem(text: str) -> str | None:
    """Why `text` is not a usable CSS selector (a syntax error, or soupsieve's warning about it), or None."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile_css.__wrapped__((text,))
        except SelectorError as exc:
            return f"is not a valid CSS selector: {exc}"
    if caught:
        return str(caught[0].message).splitlines()[0]
    return None
