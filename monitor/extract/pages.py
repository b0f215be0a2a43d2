"""A document's fetched pages -> its clauses, in order, each page by what it is: PDF (`monitor.extract.pdf`),
Markdown (`monitor.extract.markdown`), plain text (paragraphs), HTML (`monitor.extract.html`). A JSON answer
is not a document, and a page that only scripts fill says so, with the `render: true` hint."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from monitor.errors import ExtractError
from monitor.extract.html import extract_clauses
from monitor.extract.markdown import clauses_from_markdown
from monitor.extract.volatile import cut_volatile
from monitor.models import Document, FetchResult
from monitor.text import fold, strip_controls

ExtractPages = Callable[[Document, Sequence[FetchResult]], list[str]]

RENDER_HINT = "the page is filled by JavaScript; set `render: true` for this document"
_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})
_JSON_TYPES = frozenset({"application/json", "text/json", "application/ld+json"})
# Where a single-page application mounts, or its plea for JavaScript, in a page that has scripts.
_SHELL_RE = re.compile(r"""<(?:div|main)[^>]*\bid=["']?(?:root|app|__next|__nuxt|svelte|main-app)["'\s>]|"""
                       r"<app-root\b|\bng-app\b|data-reactroot|(?:enable|activer|aktivieren Sie|habilitar|"
                       r"abilitare|inschakelen)\s+(?:le\s+|el\s+)?javascript|javascript\s+(?:is\s+)?(?:required|"
                       r"must be enabled|aktivieren|activé|deshabilitado)", re.IGNORECASE)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")


def looks_script_only(html: str) -> bool:
    """Whether a page with (next to) no text is an application shell that scripts would fill."""
    head = html[:200_000]
    return "<script" in head.lower() and _SHELL_RE.search(head) is not None


def clauses_from_text(text: str) -> list[str]:
    """Plain text -> clauses: one per paragraph (blocks between blank lines, their lines joined); a text
    with no blank line has a clause per line."""
    text = strip_controls(text).replace("\r\n", "\n").replace("\r", "\n")
    blocks = _BLANK_LINE_RE.split(text) if _BLANK_LINE_RE.search(text) else text.split("\n")
    return cut_volatile([clause for clause in map(fold, blocks) if clause])


def _kind(result: FetchResult) -> str:
    path = result.url.split("?", 1)[0].lower()
    if result.content_type in _MARKDOWN_TYPES or (result.content_type == "text/plain" and path.endswith(".md")):
        return "markdown"
    if result.content_type in _JSON_TYPES or result.content_type.endswith("+json"):
        return "json"
    if result.content_type == "text/plain":
        stripped = result.text.lstrip()
        return "html" if stripped[:1] == "<" and "</" in stripped[:5000] else "text"
    return "html"


def extract_pages(doc: Document, results: Sequence[FetchResult]) -> list[str]:
    """Clauses of every page, in order."""
    clauses: list[str] = []
    for result in results:
        source = f"{doc.id} ({result.url})"
        if result.is_pdf:
            from monitor.extract.pdf import clauses_from_pdf

            clauses += clauses_from_pdf(result.body, source=source, ignore=doc.ignore)
            continue
        if not result.text:
            raise ExtractError(f"{source}: {result.content_type or 'body'} has no text to extract")
        kind = _kind(result)
        if kind == "json":
            raise ExtractError(f"{source}: the answer is JSON ({result.content_type}), not a document; "
                               "watch the URL of the page a person reads")
        if kind == "markdown":
            page = cut_volatile(clauses_from_markdown(result.text))
        elif kind == "text":
            page = clauses_from_text(result.text)
        else:
            try:
                page = extract_clauses(result.text, select=doc.select, remove=doc.remove, ignore=doc.ignore,
                                       source=source)
            except ExtractError as exc:
                if not doc.render and "no text extracted" in str(exc) and looks_script_only(result.text):
                    raise ExtractError(f"{source}: no text extracted: {RENDER_HINT}") from exc
                raise
        if not page:
            raise ExtractError(f"{source}: no text extracted")
        clauses += page
    return clauses
