"""The extraction stage: a fetched page -> clause lines (one per paragraph, list item, table row or heading).

`pages` turns a document's fetched pages into its clauses: `html` for HTML (`rules`: what is removed;
`fast`: the lxml walk for pages without selectors; `soup`: the BeautifulSoup walk for `select`/`remove`;
`blocks`: the block vocabulary both share), `pdf` rebuilds paragraphs from a PDF's layout, `markdown` reads
already-extracted Markdown (Open Terms Archive versions); `links` gives a page's links by their text and the
links inside its kept text. Each gives the same shape: headings as `# text`, list items as `- text`, table
rows as `cell | cell`.
"""

from monitor.extract.html import EXTRACTOR_VERSION, extract_clauses
from monitor.extract.links import link_changes, normalise_target, page_links, text_links
from monitor.extract.markdown import clauses_from_markdown, inline_text
from monitor.extract.pages import ExtractPages, extract_pages
from monitor.extract.pdf import clauses_from_pdf
from monitor.extract.rules import ALWAYS_REMOVE, DEFAULT_REMOVE, LAYOUT_REMOVE

__all__ = [
    "ALWAYS_REMOVE",
    "DEFAULT_REMOVE",
    "EXTRACTOR_VERSION",
    "LAYOUT_REMOVE",
    "ExtractPages",
    "clauses_from_markdown",
    "clauses_from_pdf",
    "extract_clauses",
    "extract_pages",
    "inline_text",
    "link_changes",
    "normalise_target",
    "page_links",
    "text_links",
]
