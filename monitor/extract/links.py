"""The links of a page by their text: where an opt-out hint that is only a link finds its URL."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from typing import Any

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


#: At most this many links are kept with a version (the links inside its legal text, not the page's).
MAX_TEXT_LINKS = 1_000
_BLOCKS = frozenset({"p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                     "div", "section", "article", "main", "body", "caption", "figcaption", "summary", "pre",
                     "address", "form", "table", "ul", "ol", "dl"})
#: Query parameters that say who clicked from where, not where a link goes: they rotate between fetches.
_TRACKING = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
                       "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "ref_src", "spm", "trk", "sid", "sessionid",
                       "session_id", "jsessionid", "phpsessid", "aspsessionid", "cfid", "cftoken", "nonce",
                       "_", "cb", "cachebuster", "ts", "timestamp", "token", "csrf", "csrf_token"})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs")


#: Cloudflare's e-mail obfuscation: `/cdn-cgi/l/email-protection#<hex>`, the address XOR a key that changes
#: on every fetch (the first byte).
_CF_EMAIL_PATH = "/cdn-cgi/l/email-protection"
_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2}){2,2000}")


def _cloudflare_email(encoded: str) -> str:
    """The address behind Cloudflare's obfuscation (itself sometimes written as HTML character references)."""
    key = int(encoded[:2], 16)
    decoded = "".join(chr(int(encoded[i:i + 2], 16) ^ key) for i in range(2, len(encoded), 2))
    return html_lib.unescape(decoded).strip().lower()


def normalise_target(url: str) -> str:
    """A link target without what rotates between fetches: tracking and session parameters (`utm_*`,
    `fbclid`, `sessionid`...), `;jsessionid=` path parameters; the scheme and host in lower case. A
    `mailto:` target is its address, lower case, without its query; so is an address behind Cloudflare's
    e-mail obfuscation, whose encoding changes on every fetch."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if parts.path.endswith(_CF_EMAIL_PATH) and _HEX_RE.fullmatch(parts.fragment):
        return "mailto:" + _cloudflare_email(parts.fragment)
    if scheme == "mailto":
        return "mailto:" + parts.path.split("?")[0].strip().lower()
    path = parts.path.split(";", 1)[0] if ";jsessionid=" in parts.path.lower() else parts.path
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
             if key.lower() not in _TRACKING and not key.lower().startswith(_TRACKING_PREFIXES)]
    return urlunsplit((scheme, parts.netloc.lower(), path or "/", urlencode(query), parts.fragment))


_CHROME_XPATH = ("//nav//a | //header//a | //footer//a | //aside//a | //*[@role='navigation' or "
                 "@role='banner' or @role='contentinfo' or @role='complementary']//a")
#: A block with more text than this is a container, not a paragraph: its links are not in a clause.
MAX_BLOCK_TEXT = 20_000


def _block(anchor: Any) -> Any:
    """The nearest block element around an anchor: the paragraph, list item or cell it is part of."""
    node = anchor.getparent()
    while node is not None and not (isinstance(node.tag, str) and node.tag.lower() in _BLOCKS):
        node = node.getparent()
    return node


def _block_text(block: Any) -> str:
    """A block's folded text, lower case; "" for a container with more than MAX_BLOCK_TEXT characters."""
    parts: list[str] = []
    size = 0
    for part in block.itertext():
        size += len(part)
        if size > MAX_BLOCK_TEXT:
            return ""
        parts.append(part)
    return fold("".join(parts)).lower()


def text_links(html: str, base_url: str, clauses: Sequence[str]) -> list[tuple[str, str]]:
    """The links inside a page's legal text, as (link text, normalised target) in page order, each pair
    once: the links of the page whose paragraph (list item, cell) is in `clauses`, the text the extraction
    kept. Links in page chrome (`<nav>`, `<header>`, `<footer>`, `<aside>` or their ARIA roles) are left
    out, and a link that is alone in its block counts only when that block is a whole clause."""
    from urllib.parse import urljoin, urlsplit

    from lxml import etree

    if not html.strip() or not clauses:
        return []
    try:
        root = etree.fromstring(html, etree.HTMLParser(recover=True))
    except (etree.ParserError, ValueError):
        return []
    if root is None:
        return []
    chrome = set(root.xpath(_CHROME_XPATH))   # their text may also be a clause ("Privacy policy")
    lines: list[str] = []              # the clauses (already folded), lower case: built for the first link
    whole: set[str] = set()            # outside the page chrome
    kept: str | None = None            # all the text, for a block that is part of a clause (built if needed)
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    blocks: dict[Any, bool] = {}       # block -> its text is in the kept text
    for scanned, anchor in enumerate(root.iter("a")):
        if scanned >= MAX_LINKS or len(found) >= MAX_TEXT_LINKS:
            break
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        block = _block(anchor)
        if block is None or anchor in chrome:
            continue
        text = fold("".join(anchor.itertext()))
        if not 2 <= len(text) <= 120:
            continue
        if not lines:
            lines = [_unmarked(c).lower() for c in clauses]
            whole = set(lines)
        if block not in blocks:
            context = _block_text(block)
            if context in whole:
                blocks[block] = True
            elif context == text.lower() or not context:   # a link alone in its block: only as a whole clause
                blocks[block] = False
            else:
                kept = kept if kept is not None else "\n".join(lines)
                blocks[block] = context in kept
        if not blocks[block]:
            continue
        target = urljoin(base_url, href)
        if urlsplit(target).scheme.lower() not in _LINK_SCHEMES:
            continue
        pair = (text, normalise_target(target))
        if pair not in seen:
            seen.add(pair)
            found.append(pair)
    return found


def _unmarked(clause: str) -> str:
    """A clause without its heading or list marker (`# `, `- `)."""
    if clause.startswith("#"):
        return clause.lstrip("#").lstrip()
    return clause[2:] if clause.startswith("- ") else clause


def link_changes(old: Sequence[tuple[str, str]], new: Sequence[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """The links whose target changed, as (text, old target, new target): for each link text in both
    versions with as many targets in each, the targets that differ in order. A link added or removed with
    its text is a change of the text, not of a target."""
    def by_text(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for text, target in pairs:
            out.setdefault(text, []).append(target)
        return out

    before, after = by_text(old), by_text(new)
    changes: list[tuple[str, str, str]] = []
    for text, targets in after.items():
        previous = before.get(text)
        if previous is None or len(previous) != len(targets) or set(previous) == set(targets):
            continue
        changes += [(text, a, b) for a, b in zip(previous, targets, strict=True) if a != b]
    return changes
