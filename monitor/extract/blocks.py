"""The block vocabulary of HTML extraction and the clause writer both tree walks share.

Headings `## Title`, flat blocks (one clause, text flattened), items (`- text` for a list item), table rows
`cell | cell`, containers (their loose text is a clause); `<br>` ends a clause in loose text and is a space
inside an item. `ignore` matches are cut and whitespace folded (`monitor.text.fold`) as each clause is kept.
"""

from __future__ import annotations

import re

from monitor.text import fold, heading, is_heading

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
FLAT = frozenset({"p", "pre", "caption", "figcaption", "summary", "legend"})   # one clause, text flattened
ITEMS = frozenset({"li", "dt", "dd"})                                          # one clause, may nest blocks
CONTAINERS = frozenset({
    "html", "body", "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figure", "footer", "form", "header", "hgroup", "main", "menu", "nav", "ol", "section",
    "search", "table", "tbody", "thead", "tfoot", "ul", "td", "th", "hr", "frameset", "noframes",
})
#: A disclosure <button> the removal rules kept (an accordion or FAQ title) is a heading of this level,
#: unless it holds a heading element of its own.
BUTTON_LEVEL = 3
BLOCKS = frozenset(HEADINGS) | FLAT | ITEMS | CONTAINERS | {"tr", "br", "button"}
CELLS = frozenset({"td", "th"})


def _has_word(text: str) -> bool:
    """Whether `text` holds a letter or a digit (checked from the start: nearly always the first character)."""
    for char in text:
        if char.isalnum():
            return True
    return False


class ClauseWriter:
    """Text accumulates in a buffer that each block boundary flushes into a clause."""

    def __init__(self, ignore_re: re.Pattern[str] | None, *, skip_layout: bool) -> None:
        self.skip_layout = skip_layout
        self.ignore_re = ignore_re
        self.clauses: list[str] = []
        self.buf: list[str] = []
        self.marker = ""            # "- " waiting for the first clause of a list item
        self.br_splits = True       # <br> ends a clause in loose container text, is a space in an item

    def emit(self, text: str, level: int = 0) -> None:
        """Keep one clause: `ignore` matches cut, whitespace folded; a heading when `level` is 1..6."""
        if self.ignore_re is not None:
            text = self.ignore_re.sub("", text)
        text = fold(text)
        if not text or not (text[0].isalnum() or _has_word(text)):   # a lone ";" or "|" of a widget: nothing
            return
        if level:
            self.clauses.append(heading(level, text))
        else:
            self.clauses.append(self.marker + text)
            self.marker = ""

    def emit_row(self, cells: list[str]) -> None:
        """Keep a table row: its cells' folded texts, the empty ones left out, joined by " | "."""
        self.emit(" | ".join(cell for cell in map(fold, cells) if cell))

    def line_break(self) -> None:
        """A `<br>`: the end of a clause in loose container text, a space inside an item."""
        if self.br_splits:
            self.flush()
        else:
            self.buf.append(" ")

    def drop_heading(self) -> None:
        """A link block is skipped: the heading right before it (nothing between) titled it; drop it too."""
        if self.clauses and not "".join(self.buf).strip() and is_heading(self.clauses[-1]):
            self.clauses.pop()

    def flush(self) -> None:
        if self.buf:
            text = "".join(self.buf)
            self.buf.clear()
            self.emit(text)
