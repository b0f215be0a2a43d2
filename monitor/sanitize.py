"""Stored page text is data, never control: what makes it safe to print on a terminal, to put in XML, or in
a spreadsheet cell. Pure functions; no imports from `monitor`."""

from __future__ import annotations

import re

# ESC sequences: CSI (`ESC [ ... final`), OSC/DCS/PM/APC/SOS strings (up to BEL or ST), and two-byte escapes.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]?"
                      r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                      r"|\x1b[ -/]*[0-~]?"
                      r"|\x9b[0-?]*[ -/]*[@-~]?"                          # 8-bit CSI
                      r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")  # 8-bit OSC, DCS...
# C0 controls but tab and newline, DEL, C1 controls (8-bit CSI, OSC, ST...).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Characters XML 1.0 does not allow in a document at all (even escaped).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: Leading characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """`text` without terminal escape sequences and control characters (tab and newline kept)."""
    if text.isprintable():
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 forbids (they would make the document ill-formed)."""
    return _XML_INVALID.sub("", text)


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string starting with = + - @ (or tab/CR) gets a leading `'`.
    Numbers are left as they are (a negative number is not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
