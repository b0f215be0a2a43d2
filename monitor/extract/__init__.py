"""The extraction stage: a fetched page -> clause lines (one per paragraph, list item, table row or heading).

`html` reads HTML (the lxml fast path, or BeautifulSoup when a document has `select`/`remove`), `pdf` rebuilds
paragraphs from a PDF's layout, `markdown` reads already-extracted Markdown (Open Terms Archive versions).
Each gives the same shape: headings as `# text`, list items as `- text`, table rows as `cell | cell`.
"""

from monitor.extract.html import (
    ALWAYS_REMOVE,
    DEFAULT_REMOVE,
    EXTRACTOR_VERSION,
    LAYOUT_REMOVE,
    extract_clauses,
    page_links,
)
from monitor.extract.markdown import clauses_from_markdown, inline_text
from monitor.extract.pdf import clauses_from_pdf

__all__ = [
    "ALWAYS_REMOVE",
    "DEFAULT_REMOVE",
    "EXTRACTOR_VERSION",
    "LAYOUT_REMOVE",
    "clauses_from_markdown",
    "clauses_from_pdf",
    "extract_clauses",
    "inline_text",
    "page_links",
]
