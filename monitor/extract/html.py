"""HTML -> clause lines (BeautifulSoup with the lxml parser), the same shape `monitor.extract.markdown` gives.

One clause per line, in document order: headings `## Title`, paragraphs, list items `- text`, table rows
`cell | cell`, dt/dd, blockquote paragraphs and loose text in containers; inline markup reduced to its text,
whitespace folded by `monitor.text.fold`.

    extract_clauses(html, select=["main"], remove=[".promo"], ignore=[r"Last updated: .*"], source="x/terms")

Removal happens in two tiers. `ALWAYS_REMOVE` (scripts, styles, form controls, hidden elements, cookie
banners, ...) and the caller's `remove` are cut from the tree first. `LAYOUT_REMOVE` (nav, site header and
footer, aside, search forms) is skipped while walking, unless skipping it would leave no text at all.

lxml, BeautifulSoup and soupsieve are imported on first use, not with this module: a page without
`select`/`remove` needs only lxml, and the process that merely schedules extraction (see `monitor.workers`)
needs none of them.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from monitor.errors import ExtractError
from monitor.models import RangeSelector
from monitor.text import fold, heading

if TYPE_CHECKING:
    import soupsieve
    from bs4 import BeautifulSoup, Tag
    from bs4.element import PageElement
    from lxml import etree

EXTRACTOR_VERSION = 1

# The removal rules, as data. DEFAULT_REMOVE states them as CSS (what a user would write); the walk applies
# them with `_always_removed` / `_is_layout`, which are the same rules in plain Python: soupsieve would cost
# ~50 ms per 100 KB page (tests/unit/test_extract.py checks both agree).
_REMOVE_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "object", "embed",
    "canvas", "video", "audio", "map", "meta", "link", "input", "select", "textarea", "button", "datalist",
})
# A hidden element that holds paragraphs is kept: collapsed accordions hide terms text the same way.
_BLOCK_CONTENT = ("p",)    # menus hide lists and headings; collapsed terms hide paragraphs
_COOKIE_WORDS = ("cookie-banner", "cookie-notice", "cookie-consent", "cookiebanner", "cookieconsent",
                 "cookie-bar", "cookie-popup", "cookie-law", "consent-banner", "consent-manager", "gdpr-banner",
                 "gdpr-consent", "onetrust", "didomi", "cookiebot", "usercentrics", "truste-consent", "qc-cmp",
                 "sp_message_container", "fc-consent", "cmp-container", "cc-window", "cc-banner")
_SECTIONING = frozenset({"article", "main", "section"})
_LAYOUT_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})

_NOT_BLOCKY = f":not(:has({', '.join(_BLOCK_CONTENT)}))"
ALWAYS_REMOVE: tuple[str, ...] = (
    *sorted(_REMOVE_TAGS),
    "dialog:not([open])",
    f"[hidden]:not([hidden=until-found]){_NOT_BLOCKY}",
    f'[aria-hidden="true" i]{_NOT_BLOCKY}',
    f'[style*="display:none" i]{_NOT_BLOCKY}',
    f'[style*="display: none" i]{_NOT_BLOCKY}',
    '[role="alertdialog"]',
    *(f'[{attr}*="{word}" i]' for word in _COOKIE_WORDS for attr in ("id", "class")),
)
LAYOUT_REMOVE: tuple[str, ...] = (
    "nav", "aside", "form:not(:has(h1, h2))",
    "header:not(article header, main header, section header)",
    "footer:not(article footer, main footer, section footer)",
    *(f'[role="{role}"]' for role in sorted(_LAYOUT_ROLES)),
)
DEFAULT_REMOVE: tuple[str, ...] = ALWAYS_REMOVE + LAYOUT_REMOVE

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_FLAT = frozenset({"p", "pre", "caption", "figcaption", "summary", "legend"})   # one clause, text flattened
_ITEMS = frozenset({"li", "dt", "dd"})                                          # one clause, may nest blocks
_CONTAINERS = frozenset({
    "html", "body", "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
    "dl", "fieldset", "figure", "footer", "form", "header", "hgroup", "main", "menu", "nav", "ol", "section",
    "search", "table", "tbody", "thead", "tfoot", "ul", "td", "th", "hr", "frameset", "noframes",
})
_BLOCKS = frozenset(_HEADINGS) | _FLAT | _ITEMS | _CONTAINERS | {"tr", "br"}
_CELLS = frozenset({"td", "th"})


@lru_cache(maxsize=1)
def _bs4_types() -> tuple[type[Tag], tuple[type, ...]]:
    """BeautifulSoup's element class and the node classes that are text, imported on first use."""
    from bs4.element import NavigableString, RubyTextString, Tag

    return Tag, (NavigableString, RubyTextString, str)


@lru_cache(maxsize=64)
def _compile_css(selectors: tuple[str, ...]) -> soupsieve.SoupSieve:
    import soupsieve

    return soupsieve.compile(", ".join(selectors))


@lru_cache(maxsize=64)
def _compile_ignore(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def extract_clauses(html: str, *, select: Sequence[str | RangeSelector] = (),
                    remove: Sequence[str | RangeSelector] = (), ignore: Sequence[str] = (),
                    source: str = "") -> list[str]:
    """The clause lines of an HTML page. Raises ExtractError when a `select` selector (or either end of a
    range) matches nothing or the page yields no text. `remove` (CSS selectors and ranges, in order) is
    applied before `select`. `ignore` regexes are cut from each clause before it is kept."""
    prefix = f"{source}: " if source else ""
    try:
        ignore_re = _compile_ignore(tuple(ignore))
    except re.error as exc:
        raise ExtractError(f"{prefix}invalid ignore pattern: {exc}") from exc
    if not select and not remove and isinstance(html, str):
        # The common case: no CSS to run, so walk lxml's own tree (BeautifulSoup's tree building is ~95% of
        # the cost). Same parser, same options, same rules: the output is identical to the path below.
        fast = _fast_clauses(html, ignore_re)
        if fast is not None:
            if not fast:
                raise ExtractError(f"{prefix}no text extracted")
            return fast
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    for tag in [tag for tag in soup.find_all(True) if _always_removed(tag)]:
        if not tag.decomposed:
            tag.decompose()
    for sel in remove:
        if isinstance(sel, RangeSelector):
            for node in _range_nodes(soup, sel, prefix):
                node.extract()
            continue
        for tag in _css((sel,), prefix).select(soup):
            if not tag.decomposed:
                tag.decompose()
    roots = _roots(soup, select, prefix)
    clauses = _Walker(ignore_re, skip_layout=True).run(roots)
    if not clauses:
        clauses = _Walker(ignore_re, skip_layout=False).run(roots)   # all header/footer/nav: keep it
    if not clauses:
        raise ExtractError(f"{prefix}no text extracted")
    return clauses


def _removed_by_rules(name: str, attrs: Mapping[str, Any], has_block_content: Callable[[], bool]) -> bool:
    """ALWAYS_REMOVE, in Python, for either tree: a tag name, its attributes (a class may be a list, as bs4
    gives it) and whether it holds block content (a hidden element that holds paragraphs is kept)."""
    if name in _REMOVE_TAGS:
        return True
    if name == "dialog" and "open" not in attrs:
        return True
    if not attrs or name in ("html", "body"):
        return False
    if attrs.get("role") == "alertdialog":
        return True
    hidden = attrs.get("hidden")
    style = attrs.get("style")
    style = style.lower() if isinstance(style, str) else ""
    aria = attrs.get("aria-hidden")
    if ((hidden is not None and hidden != "until-found") or (isinstance(aria, str) and aria.lower() == "true")
            or "display:none" in style or "display: none" in style):
        if not has_block_content():
            return True
    for attr in ("id", "class"):
        value = attrs.get(attr)
        if value:
            value = (" ".join(value) if isinstance(value, list) else value).lower()
            if any(word in value for word in _COOKIE_WORDS):
                return True
    return False


def _always_removed(tag: Tag) -> bool:
    """ALWAYS_REMOVE on a BeautifulSoup tag."""
    return _removed_by_rules(tag.name, tag.attrs, lambda: tag.find(_BLOCK_CONTENT) is not None)


def _is_layout(tag: Tag) -> bool:
    """LAYOUT_REMOVE, in Python."""
    name = tag.name
    if name == "nav" or name == "aside":
        return True
    if name == "header" or name == "footer":
        return not any(parent.name in _SECTIONING for parent in tag.parents)
    if name == "form":
        return tag.find(("h1", "h2")) is None
    role = tag.attrs.get("role") if tag.attrs else None
    return role in _LAYOUT_ROLES


def _css(selectors: tuple[str, ...], prefix: str) -> soupsieve.SoupSieve:
    import soupsieve

    try:
        return _compile_css(selectors)
    except soupsieve.SelectorSyntaxError as exc:
        raise ExtractError(f'{prefix}selector "{", ".join(selectors)}" is invalid: {str(exc).splitlines()[0]}') from exc


def _roots(soup: BeautifulSoup, select: Sequence[str | RangeSelector], prefix: str) -> list[PageElement]:
    """The subtrees to read, in order: each selector's matches (outermost only), or the body. A range
    contributes the nodes it wholly contains (text nodes included), outermost first."""
    if not select:
        return [soup.body if soup.body is not None else soup]
    roots: list[PageElement] = []
    taken: set[int] = set()
    for sel in select:
        matches: Sequence[PageElement]
        if isinstance(sel, RangeSelector):
            matches = _range_nodes(soup, sel, prefix)
        else:
            matches = _css((sel,), prefix).select(soup)
            if not matches:
                raise ExtractError(f'{prefix}selector "{sel}" matched nothing')
        for tag in matches:
            if id(tag) in taken or any(id(parent) in taken for parent in tag.parents):
                continue                                # nested in (or equal to) a match already read
            taken.add(id(tag))
            roots.append(tag)
    return roots


def _first(soup: BeautifulSoup, css: str, role: str, sel: RangeSelector, prefix: str) -> Tag:
    tag = _css((css,), prefix).select_one(soup)
    if tag is None:
        raise ExtractError(f'{prefix}selector "{css}" matched nothing ({role} of range {{{sel}}})')
    return tag


def _after(node: PageElement) -> PageElement | None:
    """The first node after `node`'s subtree in document order (None at the end of the document)."""
    current: PageElement | None = node
    while current is not None:
        if current.next_sibling is not None:
            return current.next_sibling
        current = current.parent
    return None


def _range_nodes(soup: BeautifulSoup, sel: RangeSelector, prefix: str) -> list[PageElement]:
    """The nodes a range wholly contains, outermost only, in document order: elements and text between the
    start point (before/after the first match of the start selector) and the end point. Ancestors the range
    only cuts through are not included (their contained children are). One pass over the tree, only when a
    range is configured."""
    start = _first(soup, sel.start_before or sel.start_after or "", "start", sel, prefix)
    end = _first(soup, sel.end_before or sel.end_after or "", "end", sel, prefix)
    order = list(soup.descendants)
    index = {id(node): i for i, node in enumerate(order)}
    total = len(order)

    def position_after(node: PageElement) -> int:
        following = _after(node)
        return total if following is None else index[id(following)]

    begin = index[id(start)] if sel.start_before else position_after(start)
    stop = index[id(end)] if sel.end_before else position_after(end)
    if stop < begin:
        raise ExtractError(f"{prefix}range {{{sel}}} ends before it starts")
    nodes: list[PageElement] = []
    i = begin
    while i < stop:
        node = order[i]
        following = position_after(node)
        if following <= stop:          # wholly inside: take it with its subtree
            nodes.append(node)
            i = following
        else:                          # an ancestor of the end point: descend into it
            i += 1
    return nodes


class _Walker:
    """One iterative pass over the tree (no recursion: hostile pages nest thousands deep). Text accumulates
    in a buffer that each block boundary flushes into a clause."""

    def __init__(self, ignore_re: re.Pattern[str] | None, *, skip_layout: bool) -> None:
        self.skip_layout = skip_layout
        self.ignore_re = ignore_re
        self.clauses: list[str] = []
        self.buf: list[str] = []
        self.marker = ""            # "- " waiting for the first clause of a list item
        self.br_splits = True       # <br> ends a clause in loose container text, is a space in an item

    def run(self, roots: Sequence[PageElement]) -> list[str]:
        tag_type, text_types = _bs4_types()
        for root in roots:
            if isinstance(root, tag_type):
                self._walk(root, inline=root.name not in _BLOCKS)
            elif type(root) in text_types:      # loose text a range selected
                self.buf.append(str(root))
        self.flush()
        return self.clauses

    def emit(self, text: str, level: int = 0) -> None:
        """Keep one clause: `ignore` matches cut, whitespace folded; a heading when `level` is 1..6."""
        if self.ignore_re is not None:
            text = self.ignore_re.sub("", text)
        text = fold(text)
        if not text:
            return
        if level:
            self.clauses.append(heading(level, text))
        else:
            self.clauses.append(self.marker + text)
            self.marker = ""

    def flush(self) -> None:
        if self.buf:
            text = "".join(self.buf)
            self.buf.clear()
            self.emit(text)

    def _walk(self, root: Tag, *, inline: bool = False) -> None:
        # A frame: (children iterator, the block it closes or None for an inline element, saved br_splits).
        stack: list[tuple[Iterator[PageElement], str | None, bool]] = []
        if inline:                                   # an inline element a range selected: text runs on
            stack.append((iter(root.contents), None, self.br_splits))
        else:
            self._open(root, stack)
        buf = self.buf
        skip_layout = self.skip_layout
        tag_type, text_types = _bs4_types()
        while stack:
            children, block, saved = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if block is not None:                # leaving a container or item
                    self.flush()
                    self.br_splits = saved
                    if block in _ITEMS:
                        self.marker = ""
            elif isinstance(child, tag_type):
                if skip_layout and _is_layout(child):
                    continue
                if child.name in _BLOCKS:
                    self._open(child, stack)
                else:
                    stack.append((iter(child.contents), None, False))
            elif type(child) in text_types:
                buf.append(str(child))

    def _open(self, tag: Tag, stack: list[tuple[Iterator[PageElement], str | None, bool]]) -> None:
        """Meet a block: leaf blocks become clauses at once; containers and items push a frame."""
        name = tag.name
        if name in _HEADINGS:
            self.flush()
            self.emit(self._flat(tag), _HEADINGS[name])
        elif name in _FLAT:
            self.flush()
            self.emit(self._flat(tag))
        elif name == "tr":
            self.flush()
            cells = [fold(self._flat(cell)) for cell in tag.children
                     if isinstance(cell, _bs4_types()[0]) and cell.name in _CELLS]
            self.emit(" | ".join(cell for cell in cells if cell))
        elif name == "br":
            if self.br_splits:
                self.flush()
            else:
                self.buf.append(" ")
        else:
            self.flush()
            stack.append((iter(tag.contents), name, self.br_splits))
            if name in _ITEMS:
                self.marker = "- " if name == "li" else ""
                self.br_splits = False
            else:
                self.br_splits = True

    def _flat(self, tag: Tag) -> str:
        """All the text under `tag`, with blocks and <br> set apart by spaces."""
        out: list[str] = []
        skip_layout = self.skip_layout
        tag_type, text_types = _bs4_types()
        stack: list[Iterator[PageElement | str]] = [iter(tag.contents)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
            elif isinstance(child, tag_type):
                if skip_layout and _is_layout(child):
                    continue
                if child.name in _BLOCKS:
                    out.append(" ")
                    stack.append(iter((" ",)))
                stack.append(iter(child.contents))
            elif type(child) in text_types:
                out.append(str(child))
        return "".join(out)


# --- The fast path: lxml's tree, walked with the same rules as the BeautifulSoup tree above. ---------------
# BeautifulSoup (lxml builder) feeds the whole string to `etree.HTMLParser(recover=True)`; what it adds on
# top is reproduced here: a leading BOM is dropped, a text node of ASCII whitespace only becomes "\n" (if it
# holds one) or " " outside <pre>/<textarea>, and text whose nearest <rt>/<rp> ancestor is <rp> is not text
# (RubyParenthesisString). Comments and processing instructions are nodes whose tails are text.

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_PRESERVE = frozenset({"pre", "textarea"})
# libxml2 builds no tree deeper than 256 elements (nor a text node over 10 MB) and silently drops the rest
# of the page; fed to BeautifulSoup's parser target it has no such limits. Such pages take that path.
_TOO_DEEP_XPATH = "boolean(" + "/*" * 251 + ")"
_FAST_MAX_CHARS = 2_000_000                         # 4 UTF-8 bytes a char stays under the 10 MB text limit


def _fast_clauses(html: str, ignore_re: re.Pattern[str] | None) -> list[str] | None:
    """The clauses of a page with no select/remove, from lxml's tree; None when the page needs the
    BeautifulSoup path (a parser error, or no <body>)."""
    if len(html) > _FAST_MAX_CHARS:
        return None
    if html and html[0] == "\N{BYTE ORDER MARK}":
        html = html[1:]
    from lxml import etree

    try:
        parser = etree.HTMLParser(recover=True)
        parser.feed(html)
        root = parser.close()
    except Exception:                               # let the BeautifulSoup path report it as it always has
        return None
    if root is None or _too_deep()(root):
        return None
    body = next(root.iter("body"), None)
    if body is None:
        return None
    removed = {el for el in body.iter(etree.Element) if _lx_always_removed(el)}
    clauses = _LxWalker(ignore_re, removed, skip_layout=True).run_body(body)
    if not clauses:
        clauses = _LxWalker(ignore_re, removed, skip_layout=False).run_body(body)
    return clauses


@lru_cache(maxsize=1)
def _too_deep() -> etree.XPath:
    from lxml import etree

    return etree.XPath(_TOO_DEEP_XPATH)


def _lx_always_removed(el: etree._Element) -> bool:
    """ALWAYS_REMOVE on an lxml element (of the unmodified tree, as for bs4)."""
    tag = el.tag
    if tag in _REMOVE_TAGS:
        return True
    attrib = el.attrib
    if not attrib and tag != "dialog":    # most elements: the rules below all need an attribute
        return False
    return _removed_by_rules(tag, attrib,
                             lambda: next(el.iterdescendants(_BLOCK_CONTENT), None) is not None)


def _lx_contents(el: etree._Element) -> list[Any]:
    """An element's children as BeautifulSoup lists them: its text, then each child and the child's tail."""
    out: list[Any] = []
    text = el.text
    if text:
        out.append(text)
    for child in el:
        out.append(child)
        tail = child.tail
        if tail:
            out.append(tail)
    return out


def _lx_text(text: str, pre: bool) -> str:
    if not pre and not text.strip(_ASCII_SPACES):
        return "\n" if "\n" in text else " "
    return text


def _lx_state(name: str, pre: bool, rp: bool) -> tuple[bool, bool]:
    """The text state inside an element: under <pre>/<textarea>; nearest ruby container is <rp>."""
    if name in _PRESERVE:
        pre = True
    if name == "rp":
        rp = True
    elif name == "rt":
        rp = False
    return pre, rp


class _LxWalker(_Walker):
    """`_Walker` on an lxml tree; `removed` holds the ALWAYS_REMOVE elements (cut with their subtrees)."""

    def __init__(self, ignore_re: re.Pattern[str] | None, removed: set[Any], *, skip_layout: bool) -> None:
        super().__init__(ignore_re, skip_layout=skip_layout)
        self.removed = removed

    def run_body(self, body: etree._Element) -> list[str]:
        stack: list[Any] = []
        self._lx_open(body, stack, False, False)
        buf = self.buf
        skip_layout = self.skip_layout
        removed = self.removed
        while stack:
            children, block, saved, pre, rp = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if block is not None:
                    self.flush()
                    self.br_splits = saved
                    if block in _ITEMS:
                        self.marker = ""
            elif isinstance(child, str):
                if not rp:
                    buf.append(_lx_text(child, pre))
            else:
                name = child.tag
                if not isinstance(name, str) or child in removed:
                    continue                             # comment / PI / removed: only the tail counts
                if skip_layout and self._lx_is_layout(child):
                    continue
                if name in _BLOCKS:
                    self._lx_open(child, stack, pre, rp)
                else:
                    cpre, crp = _lx_state(name, pre, rp)
                    stack.append((iter(_lx_contents(child)), None, False, cpre, crp))
        self.flush()
        return self.clauses

    def _lx_is_layout(self, el: etree._Element) -> bool:
        """`_is_layout` on the tree with the removed elements cut."""
        name = el.tag
        if name == "nav" or name == "aside":
            return True
        if name == "header" or name == "footer":
            return not any(parent.tag in _SECTIONING for parent in el.iterancestors())
        if name == "form":
            removed = self.removed
            for found in el.iterdescendants("h1", "h2"):
                node = found
                while node is not el:
                    if node in removed:
                        break
                    node = node.getparent()
                else:
                    return False
            return True
        role = el.get("role")
        return role in _LAYOUT_ROLES

    def _lx_open(self, el: etree._Element, stack: list[Any], pre: bool, rp: bool) -> None:
        name = el.tag
        if name in _HEADINGS:
            self.flush()
            self.emit(self._lx_flat(el, pre, rp), _HEADINGS[name])
        elif name in _FLAT:
            self.flush()
            self.emit(self._lx_flat(el, pre, rp))
        elif name == "tr":
            self.flush()
            removed = self.removed
            tpre, trp = _lx_state(name, pre, rp)
            cells = [fold(self._lx_flat(cell, tpre, trp)) for cell in el
                     if isinstance(cell.tag, str) and cell.tag in _CELLS and cell not in removed]
            self.emit(" | ".join(cell for cell in cells if cell))
        elif name == "br":
            if self.br_splits:
                self.flush()
            else:
                self.buf.append(" ")
        else:
            self.flush()
            cpre, crp = _lx_state(name, pre, rp)
            stack.append((iter(_lx_contents(el)), name, self.br_splits, cpre, crp))
            if name in _ITEMS:
                self.marker = "- " if name == "li" else ""
                self.br_splits = False
            else:
                self.br_splits = True

    def _lx_flat(self, el: etree._Element, pre: bool, rp: bool) -> str:
        out: list[str] = []
        skip_layout = self.skip_layout
        removed = self.removed
        pre, rp = _lx_state(el.tag, pre, rp)
        stack: list[Any] = [(iter(_lx_contents(el)), pre, rp)]
        while stack:
            children, pre, rp = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
            elif isinstance(child, str):
                if not rp:
                    out.append(_lx_text(child, pre))
            else:
                name = child.tag
                if not isinstance(name, str) or child in removed:
                    continue
                if skip_layout and self._lx_is_layout(child):
                    continue
                if name in _BLOCKS:
                    out.append(" ")
                    stack.append((iter((" ",)), True, False))
                cpre, crp = _lx_state(name, pre, rp)
                stack.append((iter(_lx_contents(child)), cpre, crp))
        return "".join(out)


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
