"""Markdown (as published by Open Terms Archive) -> clause lines, the same shape `extract` gives for HTML.

Headings become `# text` (one `#` per level), list items `- text`, table rows `cell | cell`, paragraphs one
line each; inline markup (links, emphasis, code, images, HTML tags) is reduced to its visible text.
"""

from __future__ import annotations

import re

from monitor.text import fold, heading, strip_controls

_ATX_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE_RE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LIST_RE = re.compile(r"^(\s*)(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK_RE = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK_RE = re.compile(r"<((?:https?://|mailto:)[^>]+)>")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR_RE = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EM_UNDER_RE = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_CODE_RE = re.compile(r"`+([^`]*)`+")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")


def inline_text(text: str) -> str:
    """Reduce inline Markdown to the text a reader sees."""
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _REF_LINK_RE.sub(r"\1", text)
    text = _AUTOLINK_RE.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = _TAG_RE.sub("", _BR_RE.sub(" ", text))
    text = _CODE_RE.sub(r"\1", text)
    for _ in range(2):
        text = _STRONG_RE.sub(r"\2", text)
        text = _EM_STAR_RE.sub(r"\1", text)
        text = _EM_UNDER_RE.sub(r"\1", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    return fold(text)


def clauses_from_markdown(markdown: str) -> list[str]:
    """Split a Markdown document into clause lines (headings marked, whitespace folded, no blank lines)."""
    markdown = strip_controls(markdown)
    clauses: list[str] = []
    paragraph: list[str] = []
    in_list_item = False

    def flush() -> None:
        nonlocal in_list_item
        if paragraph:
            text = inline_text(" ".join(paragraph))
            if text:
                clauses.append(("- " + text) if in_list_item else text)
            paragraph.clear()
        in_list_item = False

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        setext = _SETEXT_RE.match(line)
        if setext and paragraph and not in_list_item and len(paragraph) >= 1:
            level = 1 if setext.group(1).startswith("=") else 2
            text = inline_text(" ".join(paragraph))
            paragraph.clear()
            if text:
                clauses.append(heading(level, text))
            continue
        if _RULE_RE.match(line):
            flush()
            continue
        atx = _ATX_RE.match(line)
        if atx:
            flush()
            text = inline_text(atx.group(2))
            if text:
                clauses.append(heading(len(atx.group(1)), text))
            continue
        stripped = line.strip()
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ").strip()
            if not stripped:
                flush()
                continue
        if stripped.startswith("|") or (paragraph == [] and stripped.count("|") >= 2 and "|" in stripped[:80]):
            flush()
            if _TABLE_SEP_RE.match(stripped):
                continue
            cells = [inline_text(cell) for cell in stripped.strip("|").split("|")]
            row = " | ".join(cell for cell in cells if cell)
            if row:
                clauses.append(row)
            continue
        item = _LIST_RE.match(line)
        if item and not _RULE_RE.match(line):
            flush()
            in_list_item = True
            paragraph.append(item.group(2))
            continue
        paragraph.append(stripped)
    flush()
    return clauses
