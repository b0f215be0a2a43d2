"""Markdown -> clause lines, the shape the HTML extractor gives."""

from __future__ import annotations

import pytest

from monitor.extract.markdown import clauses_from_markdown, inline_text

CASES = {
    "setext and atx headings": ("Title\n=====\n\nIntro text.\n\nSub\n---\n\n### Deep ###\n",
                                ["# Title", "Intro text.", "## Sub", "### Deep"]),
    "paragraph lines join": ("We collect\ndata from you.\n\nSecond.", ["We collect data from you.", "Second."]),
    "lists": ("* one\n* two\n  continued\n1. three", ["- one", "- two continued", "- three"]),
    "table": ("| A | B |\n|---|---|\n| x | **y** |", ["A | B", "x | y"]),
    "links and emphasis": ("You can opt out in your **[settings](https://x.test/s)** _now_.",
                           ["You can opt out in your settings now."]),
    "nbsp and zero width": ("3\u00a0novembre\u00a02025\ufeff ok", ["3 novembre 2025 ok"]),
    "rules and quotes dropped": ("a\n\n---\n\n> quoted text\n", ["a", "quoted text"]),
    "underscores inside words kept": ("email opt_out@x.test and snake_case", ["email opt_out@x.test and snake_case"]),
}


@pytest.mark.parametrize("markdown,expected", CASES.values(), ids=CASES.keys())
def test_clauses_from_markdown(markdown, expected):
    assert clauses_from_markdown(markdown) == expected


def test_inline_text_image_and_autolink():
    assert inline_text("![logo](x.png) write to <mailto:dpo@x.test>") == "logo write to dpo@x.test"


def test_br_in_table_cell_is_a_space():
    assert clauses_from_markdown("| Street<br>Collingwood |") == ["Street Collingwood"]
