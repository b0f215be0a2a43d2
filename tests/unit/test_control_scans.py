"""The byte-level control-character scans (`monitor.text.has_controls`, `monitor.guards.decoding_reason`) agree
with the plain regular expressions they replaced, character by character."""

from __future__ import annotations

import re

from monitor.guards import MAX_CONTROL_SHARE, decoding_reason
from monitor.text import has_controls

_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_GUARD_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Every character up to U+0200, a few multi-byte ones whose UTF-8 bytes hold 0x80..0x9F, lone surrogates.
_CHARS = [chr(c) for c in range(0x200)] + ["\u0130", "\u2028", "\u0880", "\u8080", "\U0001f480", "\ud800", "\udc9f"]


def test_has_controls_matches_the_regex_for_every_character() -> None:
    for char in _CHARS:
        for text in (char, f"terms {char} apply", f"\u00e9{char}\u00e9"):
            assert has_controls(text) is (_TEXT_CONTROLS.search(text) is not None), hex(ord(char))


def test_decoding_reason_counts_controls_as_the_regex_did() -> None:
    for char in _CHARS:
        text = "a" * 80 + char * 20
        expected = len(_GUARD_CONTROLS.findall(text)) / len(text) > MAX_CONTROL_SHARE
        reason = decoding_reason(text.encode("utf-8", "surrogatepass"), text, "utf-8")
        assert (reason is not None and reason.startswith("binary")) is expected, hex(ord(char))
    text = "ab\x0b\x0c\t\n" * 10                                            # VT, FF, tab, newline: text
    assert decoding_reason(text.encode(), text, "utf-8") is None
