"""Text normalisation shared by every extractor: one clause per line, whitespace folded."""

from __future__ import annotations

import re

# Zero-width and formatting characters that never carry meaning in a terms document.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")


# C0 and C1 control characters but tab, newline, carriage return and form feed (whitespace, folded later),
# and DEL: page text is data, never terminal control; lxml would read a NUL as U+FFFD ("invalid bytes").
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


# The same characters in UTF-8: C0 and DEL are their own bytes (no multi-byte sequence holds a byte under 0x80),
# C1 is 0xC2 then 0x80..0x9F (0xC2 is only ever a lead byte).
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_C1_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")


def has_controls(text: str) -> bool:
    """Whether `text` holds a control character (tab and line breaks aside). On the UTF-8 bytes: deleting
    the C0 bytes (bytes.translate) and a search anchored on the 0xC2 byte are 2-5x faster than the regular
    expression's scan of the text, which runs on every page."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _C0_BYTES)) != len(data) or _C1_UTF8_RE.search(data) is not None


def strip_controls(text: str) -> str:
    """`text` without control characters (tab and line breaks kept)."""
    if _CONTROL_RE.search(text) is None:
        return text
    return _CONTROL_RE.sub("", text)


# What str.split() splits ASCII text on, besides the space; and two spaces in a row.
_ASCII_BREAKS = ("\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "  ")


def fold(text: str) -> str:
    """Fold every run of Unicode whitespace to one space, drop invisible characters, strip the ends."""
    if text.isascii() and not ("\n" in text or "\t" in text or "\r" in text or "\x0b" in text or "\x0c" in text
                               or "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text
                               or "  " in text):      # _ASCII_BREAKS, spelt out: 25% faster than any() over them
        return text.strip(" ")     # most text the extractors give is already folded but for its ends
    # The invisible characters are all non-ASCII, and six substring tests are several times faster than the
    # regular expression's scan: most text, in any language, has none of them.
    if not text.isascii() and any(char in text for char in _INVISIBLE):
        text = _INVISIBLE_RE.sub("", text)
    # str.split() splits on exactly the characters that \s matches (Py_UNICODE_ISSPACE), several times faster.
    return " ".join(text.split())


def heading(level: int, text: str) -> str:
    """A heading clause: `#` repeated `level` times, a space, the text."""
    return "#" * max(1, min(level, 6)) + " " + text


def is_heading(clause: str) -> bool:
    """True for clauses written by `heading()`."""
    return clause.startswith("#") and clause.lstrip("#").startswith(" ")


def heading_level(clause: str) -> int:
    """The level of a heading clause (1..6), 0 for any other clause."""
    if not is_heading(clause):
        return 0
    return len(clause) - len(clause.lstrip("#"))
