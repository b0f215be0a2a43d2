"""Whitespace folding: every Unicode space counts, invisible characters go, ends are stripped."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from monitor.text import fold, heading, heading_level, is_heading


@given(st.text())
def test_fold_matches_the_regex_definition(text):
    expected = re.sub(r"\s+", " ", re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)).strip()
    assert fold(text) == expected


@given(st.text(alphabet=st.sampled_from("ab .,\t\n\r\x0b\x0c\x1c\x1f")))
def test_fold_of_ascii_text_matches_it_too(text):   # the fast path for text already folded but for its ends
    assert fold(text) == re.sub(r"\s+", " ", text).strip()


def test_fold_examples():
    assert fold("  3\u00a0novembre\u202f2025\t\n ") == "3 novembre 2025"
    assert fold("opt\u00adout\u200b now") == "optout now"


def test_headings():
    assert heading(2, "Data") == "## Data" and heading_level("## Data") == 2 and is_heading("# X")
    assert not is_heading("#hashtag") and heading_level("plain") == 0


def test_fold_fast_path_sees_every_ascii_break() -> None:
    """fold's already-folded shortcut spells out _ASCII_BREAKS: each of them must still be folded."""
    from monitor.text import _ASCII_BREAKS

    for brk in _ASCII_BREAKS:
        assert fold(f" a{brk}b ") == "a b", repr(brk)
