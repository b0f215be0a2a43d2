"""Which fetcher gets a document's pages, and the fallback between them.

    fetched, clauses = acquire(doc, state, client, extract=extract_pages, wall=wall_reason)

Each URL goes to one fetcher: headless Chromium (`browser`) when the document (or that page of a multi-page
document) has `render: true`, else plain
HTTP (`http`), with a conditional request for a single-page document. A plain fetch met by a 403/406, or
whose extraction looks like a bot wall, is retried once through the browser when one is installed. A new
kind of source is one more branch in `_fetch_one` (and, if it can fall back, in `acquire`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.errors import FetchHTTPStatus, MonitorError
from monitor.fetch.http import MAX_BODY_BYTES, fetch_document
from monitor.models import Document, DocumentState, FetchResult

if TYPE_CHECKING:  # only for annotations; monitor.fetch.http imports it at run time
    import httpx

log = logging.getLogger(__name__)

#: Turns a document's fetched pages into clauses (`monitor.extract.extract_pages`).
Extract = Callable[[Document, Sequence[FetchResult]], list[str]]
#: Why pages (their HTML, their text's length) look like a bot wall, or None (`monitor.guards.wall_reason`).
WallTest = Callable[[str, int], str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """The pages of one document, as fetched for one check."""

    results: tuple[FetchResult, ...]
    not_modified: bool

    @property
    def size(self) -> int:
        return sum(len(r.body) for r in self.results)

    @property
    def body(self) -> bytes:
        """What is stored for this fetch: the pages' bodies, joined."""
        return b"\n".join(r.body for r in self.results)

    @property
    def html(self) -> str:
        """The pages' decoded text, joined."""
        return "\n".join(r.text for r in self.results)


def browser_available() -> bool:
    """Whether headless Chromium can be used (imports the browser module only when asked)."""
    from monitor.fetch.browser import browser_available as available

    return available()


def _fetch_one(doc: Document, url: str, client: httpx.Client, state: DocumentState | None, *,
               browser: bool) -> FetchResult:
    """One page, through the fetcher it needs; `state` (validators of the last fetch) for a conditional GET."""
    if doc.renders(url) or browser:
        from monitor.fetch.browser import fetch_rendered

        return fetch_rendered(url, timeout=doc.timeout.total_seconds(), user_agent=doc.user_agent,
                              max_bytes=MAX_BODY_BYTES, allow_private=doc.allow_private)
    return fetch_document(url, client=client, timeout=doc.timeout.total_seconds(), user_agent=doc.user_agent,
                          etag=state.etag if state else None,
                          last_modified=state.last_modified if state else None, allow_private=doc.allow_private)


def fetch_pages(doc: Document, state: DocumentState, client: httpx.Client, *, browser: bool = False) -> Fetched:
    """Fetch every page of a document: through headless Chromium when it has `render: true` (or `browser`),
    else plainly, with conditional requests for single-page documents."""
    single = len(doc.urls) == 1
    results = tuple(_fetch_one(doc, url, client, state if single else None, browser=browser) for url in doc.urls)
    return Fetched(results=results, not_modified=single and results[0].not_modified)


def acquire(doc: Document, state: DocumentState, client: httpx.Client, *, extract: Extract, wall: WallTest,
            known_body: str | None = None) -> tuple[Fetched, list[str] | None]:
    """Fetch and extract with `extract` (None clauses for a 304, or for a body whose sha256 is `known_body`:
    the one the latest version was extracted from). A plain fetch met by a 403/406 or a bot wall (`wall`) is
    retried once through headless Chromium when one is installed."""
    try:
        fetched = fetch_pages(doc, state, client)
    except FetchHTTPStatus as exc:
        if doc.render or exc.status_code not in (403, 406) or not browser_available():
            raise
        log.info("%s: HTTP %s; retrying through the browser", doc.id, exc.status_code)
        try:
            fetched = fetch_pages(doc, state, client, browser=True)
        except MonitorError as browser_exc:  # report the page's own answer, not the browser's trouble
            log.warning("%s: browser retry failed: %s", doc.id, browser_exc)
            raise exc from browser_exc
        return fetched, extract(doc, fetched.results)
    if fetched.not_modified or (known_body and hashlib.sha256(fetched.body).hexdigest() == known_body):
        return fetched, None
    clauses = extract(doc, fetched.results)
    if not doc.render and wall(fetched.html, sum(map(len, clauses))) and browser_available():
        log.info("%s: bot wall; retrying through the browser", doc.id)
        try:
            rendered = fetch_pages(doc, state, client, browser=True)
            return rendered, extract(doc, rendered.results)
        except MonitorError as browser_exc:  # keep the wall: it is recorded as a suspect fetch
            log.warning("%s: browser retry failed: %s", doc.id, browser_exc)
    return fetched, clauses
