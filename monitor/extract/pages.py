"""A document's fetched pages -> its clauses, in order: PDFs through `monitor.extract.pdf`, the rest as HTML."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from monitor.errors import ExtractError
from monitor.extract.html import extract_clauses
from monitor.models import Document, FetchResult

ExtractPages = Callable[[Document, Sequence[FetchResult]], list[str]]


def extract_pages(doc: Document, results: Sequence[FetchResult]) -> list[str]:
    """Clauses of every page, in order: PDFs through monitor.extract.pdf, the rest as HTML."""
    clauses: list[str] = []
    for result in results:
        source = f"{doc.id} ({result.url})"
        if result.is_pdf:
            from monitor.extract.pdf import clauses_from_pdf

            clauses += clauses_from_pdf(result.body, source=source, ignore=doc.ignore)
            continue
        if not result.text:
            raise ExtractError(f"{source}: {result.content_type or 'body'} has no text to extract")
        clauses += extract_clauses(result.text, select=doc.select, remove=doc.remove, ignore=doc.ignore,
                                   source=source)
    return clauses
