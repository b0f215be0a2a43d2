"""The links of a page by their text: where an opt-out hint that is only a link finds its URL."""

from __future__ import annotations

from monitor.text import fold

MAX_LINKS = 5_000
_LINK_SCHEMES = ("http", "https", "mailto")


def page_links(html: str, base_url: str) -> dict[str, str]:
    """The links of a page, by their folded text: absolute http(s) URLs and e-mail addresses (`mailto:`
    without its scheme and query). The first link with a given text wins. The extracted clauses keep only
    link text; this is where "opt out in your [settings](...)" finds its URL."""
    from urllib.parse import urljoin, urlsplit

    from lxml import etree

    try:
        root = etree.fromstring(html, etree.HTMLParser(recover=True)) if html.strip() else None
    except (etree.ParserError, ValueError):
        return {}
    links: dict[str, str] = {}
    if root is None:
        return links
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        text = fold("".join(anchor.itertext()))
        if not href or not 2 <= len(text) <= 120 or text in links:
            continue
        target = urljoin(base_url, href)
        scheme = urlsplit(target).scheme.lower()
        if scheme not in _LINK_SCHEMES:
            continue
        links[text] = target[len("mailto:"):].split("?")[0] if scheme == "mailto" else target
        if len(links) >= MAX_LINKS:
            break
    return links
