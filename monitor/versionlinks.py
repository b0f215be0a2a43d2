"""The links inside a version's legal text: what a check keeps of them and which targets moved.

A version's links are (text, normalised target) pairs read from the page it was made from
(`monitor.extract.text_links`); a target that moves while the text stays is a change of links, which alerts
only for opt-out and contact links (`monitor.classify.optout.alerting_link`).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.extract import link_changes, text_links
from monitor.fetch import Fetched, decode_body
from monitor.models import Document, LinkChange, VersionInfo
from monitor.store import Store


def page_text_links(fetched: Fetched, clauses: Sequence[str]) -> list[tuple[str, str]]:
    """The (text, normalised target) links inside the kept text of the fetched HTML pages."""
    found: list[tuple[str, str]] = []
    for result in fetched.results:
        if result.text and not result.is_pdf:
            found += [pair for pair in text_links(result.text, result.final_url or result.url, clauses)
                      if pair not in found]
    return found


def link_changes_of(doc: Document, old: Sequence[tuple[str, str]],
                    new: Sequence[tuple[str, str]]) -> list[LinkChange]:
    """The moved link targets between two versions' links, opt-out and contact links marked to alert."""
    from monitor.classify.optout import alerting_link

    return [LinkChange(text=text, old=before, new=after,
                       alert=alerting_link(text, before, doc.language or "en")
                       or alerting_link(text, after, doc.language or "en"))
            for text, before, after in link_changes(old, new)]


def version_links(doc: Document, store: Store, version: VersionInfo,
                   clauses: Sequence[str]) -> list[tuple[str, str]] | None:
    """The links inside a version's text: as stored, else read from the page it was made from (a version
    of a single-URL document is stored without them, so that a new document costs no second parse) and
    stored; None when that page is not kept."""
    stored = store.version_links(doc.id, version.number)
    if stored is not None or len(doc.urls) != 1 or version.snapshot_id is None:
        return stored
    body = store.snapshot_body(version.snapshot_id)
    if body is None or body.startswith(b"%PDF-"):
        return None
    html, _ = decode_body(body)
    links = text_links(html, store.final_urls(doc.id)[1].get(version.number, doc.url), clauses)
    store.set_version_links(doc.id, version.number, links)
    return links


def moved_links(doc: Document, store: Store, latest: VersionInfo | None, fetched: Fetched,
                 clauses: Sequence[str]) -> tuple[list[LinkChange], list[tuple[str, str]] | None]:
    """On a check whose text is the latest version's: the link targets inside it that moved, and this
    page's links. The page is parsed for its links only when that version has some (when its links cannot
    be known, those of this page are recorded for it, with no change)."""
    if latest is None or fetched.not_modified:
        return [], None
    old = version_links(doc, store, latest, clauses)
    if old == []:
        return [], None
    new = page_text_links(fetched, clauses)
    if old is None:
        store.set_version_links(doc.id, latest.number, new)
        return [], new
    return link_changes_of(doc, old, new), new
