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


def test_a_utf8_body_is_counted_as_its_decoded_text() -> None:
    """For a UTF-8 page the body's own bytes are counted: invalid sequences (U+FFFD once decoded) next to
    control bytes, truncated sequences, overlong forms, C1 as two bytes: the same verdict as the text's."""
    for invalid in (b"\xc3", b"\xe2\x82", b"\xf0\x9f\x92", b"\xc0\xaf", b"\xed\xa0\x80", b"\xff", b"\xc2\x85"):
        for control in (b"\x01", b"\x1b", b"\x7f", b"\x0c"):
            for share in (1, 6, 12):
                body = b"terms apply " * 8 + (invalid + control) * share
                text = body.decode("utf-8", "replace")
                from_text = decoding_reason(body, text, "utf8")       # not "utf-8": counted on the text's bytes
                assert decoding_reason(body, text, "utf-8") == (from_text and from_text.replace("utf8", "utf-8"))
                if from_text is None or from_text.startswith("binary"):
                    expected = len(_GUARD_CONTROLS.findall(text)) / len(text) > MAX_CONTROL_SHARE
                    assert (from_text is not None) is expected, (invalid, control, share)
