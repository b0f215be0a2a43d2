"""The fast path: a page with no `select`/`remove` read from lxml's own tree (BeautifulSoup's tree building is
~95% of the other path's cost), with the same parser, options and rules: the clauses are identical.

BeautifulSoup (lxml builder) feeds the whole string to `etree.HTMLParser(recover=True)`; what it adds on
top is reproduced here: a leading BOM is dropped, a text node of ASCII whitespace only becomes "\n" (if it
holds one) or " " outside <pre>/<textarea>, and text whose nearest <rt>/<rp> ancestor is <rp> is not text
(RubyParenthesisString). Comments and processing instructions are nodes whose tails are text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from monitor.extract.blocks import BLOCKS, BUTTON_LEVEL, CELLS, FLAT, HEADINGS, ITEMS, ClauseWriter
from monitor.extract.rules import (
    BLOCK_CONTENT,
    HEADING_TAGS,
    LAYOUT_ROLES,
    LINK_BLOCK_DEPTH,
    LINK_BLOCK_MAX_CHARS,
    LINK_BLOCK_MIN_LINKS,
    LINK_BLOCK_TAGS,
    REMOVE_TAGS,
    SECTIONING,
    is_link_block,
    is_page_link,
    removed_by_rules,
)

if TYPE_CHECKING:
    from lxml import etree

_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_PRESERVE = frozenset({"pre", "textarea"})
# libxml2 builds no tree deeper than 256 elements (nor a text node over 10 MB) and drops the rest of the page,
# saying so only in the parser's error log; fed to BeautifulSoup's parser target it has no such limits. Such
# pages take that path.
_FAST_MAX_CHARS = 2_000_000                         # 4 UTF-8 bytes a char stays under the 10 MB text limit


def fast_clauses(html: str, ignore_re: re.Pattern[str] | None) -> list[str] | None:
    """The clauses of a page with no select/remove, from lxml's tree; None when the page needs the
    BeautifulSoup path (a parser error, or no <body>)."""
    if len(html) > _FAST_MAX_CHARS:
        return None
    if html and html[0] == "\N{BYTE ORDER MARK}":
        html = html[1:]
    from lxml import etree

    parser = etree.HTMLParser(recover=True)
    try:   # parsed in one call, not fed: libxml2 then works without the GIL (the other check thread runs)
        root = etree.fromstring(html, parser)
    except Exception:                               # let the BeautifulSoup path report it as it always has
        return None
    if root is None or _cut_short(parser):
        return None
    body = next(root.iter("body"), None)
    if body is None:
        return None
    modal_open = "aria-modal" in html and bool(_modal_xpath()(body))
    removed = _Removed(modal_open)
    clauses = _LxWalker(ignore_re, removed, skip_layout=True, link_blocks=_link_blocks(body, removed)).run_body(body)
    if not clauses:
        clauses = _LxWalker(ignore_re, removed, skip_layout=False).run_body(body)
    return clauses


def _cut_short(parser: etree.HTMLParser) -> bool:
    """Whether libxml2 stopped building the tree at one of its limits (256 levels deep) and dropped the rest
    of the page. (An XPath probe of the depth cost 6% of a page's extraction; the log is read in microseconds.)"""
    return any(error.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in error.message
               for error in parser.error_log)


@lru_cache(maxsize=1)
def _visible_xpath() -> etree.XPath:
    from lxml import etree

    return etree.XPath("string-length(translate(normalize-space(.), ' ', ''))")


def _visible_chars(el: etree._Element) -> int:
    """The characters of an element's text but whitespace (counted by libxml2)."""
    return int(_visible_xpath()(el))


def _visible_chars_upto(el: etree._Element, limit: int) -> int:
    """`_visible_chars`, counted in Python over the element's text nodes and given up past `limit` (then some
    number above it): a block above a page's links is often the whole article, which libxml2 would measure
    entirely. XPath's whitespace is these four characters (normalize-space, then the spaces removed)."""
    count = 0
    for text in el.itertext():
        count += len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\r")
        if count > limit:
            break
    return count


def _page_links(body: etree._Element) -> list[Any]:
    """The page's `<a>` elements outside nav/header/footer/aside (skipped anyway), in document order. (lxml's
    own iteration by tag: libxml2's XPath for the same took 0.16 ms of a 100 KB page's extraction.)"""
    boxed = {anchor for box in body.iter("nav", "header", "footer", "aside") for anchor in box.iter("a")}
    return [anchor for anchor in body.iter("a") if anchor not in boxed]


def _link_blocks(body: etree._Element, removed: _Removed) -> set[Any]:
    """The link blocks of the page (`monitor.extract.rules.is_link_block`; the text of headings in a block
    does not count): blocks up to LINK_BLOCK_DEPTH levels above their links. One short walk up from each
    link; a block's text is measured only when it holds enough links and not too much link text."""
    stats: dict[Any, list[int]] = {}
    for anchor in _page_links(body):
        if not is_page_link(anchor.get("href")):
            continue
        text = anchor.text or "" if len(anchor) == 0 else "".join(anchor.itertext())
        chars = len(text) if text.isalnum() else len("".join(text.split()))
        for depth, ancestor in enumerate(anchor.iterancestors()):
            if ancestor is body or depth >= LINK_BLOCK_DEPTH:
                break
            if ancestor.tag in LINK_BLOCK_TAGS:
                counts = stats.get(ancestor)
                if counts is None:
                    stats[ancestor] = [1, chars]
                else:
                    counts[0] += 1
                    counts[1] += chars
    blocks = set()
    for el, (links, link_chars) in stats.items():
        if links < LINK_BLOCK_MIN_LINKS or link_chars > LINK_BLOCK_MAX_CHARS or el in removed:
            continue
        chars = _visible_chars_upto(el, LINK_BLOCK_MAX_CHARS * 2)
        if chars > LINK_BLOCK_MAX_CHARS * 2:
            continue
        if not is_link_block(links, link_chars, chars):      # headings do not count: measured only if needed
            chars -= sum(_visible_chars(h) for h in el.iterdescendants(HEADING_TAGS))
        if is_link_block(links, link_chars, chars):
            blocks.add(el)
    return blocks


@lru_cache(maxsize=1)
def _modal_xpath() -> etree.XPath:
    from lxml import etree

    return etree.XPath("boolean(.//*[@aria-modal='true'])")


_CUT_TAGS = REMOVE_TAGS - {"button"}
# The attributes `removed_by_rules` reads on any other element: one without them (most links, `<a href>`) is kept.
_RULE_ATTRS = frozenset({"role", "aria-modal", "hidden", "style", "aria-hidden", "id", "class"})
_LAYOUT_NAMES = frozenset({"nav", "aside", "header", "footer", "form"})   # `_lx_is_layout` beyond the role test


class _Removed:
    """The elements the removal rules (`monitor.extract.rules`) cut, judged on the unmodified tree as for bs4,
    each when first asked about (`el in removed`): the walks never ask about what lies inside a cut element
    (a whole pass over the tree first cost as much as the walk). The rules are asked only about elements that
    have an attribute they read, dialogs and buttons: most elements are links, list items and paragraphs."""

    __slots__ = ("_judged", "_modal_open")

    def __init__(self, modal_open: bool) -> None:
        self._modal_open = modal_open
        self._judged: dict[Any, bool] = {}

    def __contains__(self, el: Any) -> bool:
        return self.cut(el, el.tag)

    def cut(self, el: etree._Element, tag: str) -> bool:
        """Whether `el` (whose tag is `tag`) is cut."""
        if tag in _CUT_TAGS:
            return True
        if tag != "dialog" and tag != "button" and _RULE_ATTRS.isdisjoint(el.keys()):
            return False
        return self.judge(el, tag)

    def judge(self, el: etree._Element, tag: str) -> bool:
        """What the rules say of `el`, an element they are asked about (a tag not cut by name)."""
        judged = self._judged.get(el)
        if judged is None:
            judged = self._judged[el] = removed_by_rules(tag, el.attrib, el, _LX_TREE, modal_open=self._modal_open)
        return judged


class _LxTree:
    """`monitor.extract.rules.Tree` for lxml elements."""

    @staticmethod
    def has_block_content(el: etree._Element) -> bool:
        return next(el.iterdescendants(BLOCK_CONTENT), None) is not None

    @staticmethod
    def has_heading(el: etree._Element) -> bool:
        return next(el.iterdescendants(HEADING_TAGS), None) is not None

    @staticmethod
    def text(el: etree._Element) -> str:
        return "".join(el.itertext())

    @staticmethod
    def parent_name(el: etree._Element) -> str:
        parent = el.getparent()
        return parent.tag if parent is not None else ""


_LX_TREE = _LxTree()


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


class _LxWalker(ClauseWriter):
    """The clause walk on an lxml tree; `removed` says which elements the rules cut (with their subtrees)."""

    def __init__(self, ignore_re: re.Pattern[str] | None, removed: _Removed, *, skip_layout: bool,
                 link_blocks: set[Any] | None = None) -> None:
        super().__init__(ignore_re, skip_layout=skip_layout)
        self.removed = removed
        self.link_blocks = link_blocks or set()

    def run_body(self, body: etree._Element) -> list[str]:
        stack: list[Any] = []
        self._lx_open(body, "body", stack, False, False)
        buf = self.buf
        skip_layout = self.skip_layout
        removed = self.removed
        link_blocks = self.link_blocks
        while stack:
            children, block, saved, pre, rp = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if block is not None:
                    self.flush()
                    self.br_splits = saved
                    if block in ITEMS:
                        self.marker = ""
            elif isinstance(child, str):
                if not rp:                               # _lx_text, inlined: one call less per text node
                    buf.append(child if pre or child.strip(_ASCII_SPACES) else "\n" if "\n" in child else " ")
            else:
                name = child.tag
                if not isinstance(name, str) or name in _CUT_TAGS:
                    continue                             # comment / PI / removed: only the tail counts
                keys = child.keys()                      # `removed.cut`, spelt out: most elements have none
                if (name == "dialog" or name == "button" or not _RULE_ATTRS.isdisjoint(keys)) and \
                        removed.judge(child, name):
                    continue
                if skip_layout and (self._lx_is_layout(child) if name in _LAYOUT_NAMES
                                    else "role" in keys and child.get("role") in LAYOUT_ROLES):
                    continue
                if link_blocks and child in link_blocks:
                    self.drop_heading()
                    continue
                if name in BLOCKS:
                    self._lx_open(child, name, stack, pre, rp)
                else:                                    # _lx_state, inlined
                    cpre = pre or name in _PRESERVE
                    crp = True if name == "rp" else False if name == "rt" else rp
                    if len(child) == 0:                  # text only (most links): no push and pop
                        text = child.text
                        if text and not crp:
                            buf.append(text if cpre or text.strip(_ASCII_SPACES) else "\n" if "\n" in text else " ")
                    else:
                        stack.append((iter(_lx_contents(child)), None, False, cpre, crp))
        self.flush()
        return self.clauses

    def _lx_is_layout(self, el: etree._Element) -> bool:
        """The layout test (`monitor.extract.soup`) on the tree with the removed elements cut."""
        name = el.tag
        if name == "nav" or name == "aside":
            return True
        if name == "header" or name == "footer":
            return not any(parent.tag in SECTIONING for parent in el.iterancestors())
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
        return role in LAYOUT_ROLES

    def _lx_open(self, el: etree._Element, name: str, stack: list[Any], pre: bool, rp: bool) -> None:
        if name in HEADINGS:
            self.flush()
            self.emit(self._lx_flat(el, pre, rp), HEADINGS[name])
        elif name in FLAT:
            self.flush()
            self.emit(self._lx_flat(el, pre, rp))
        elif name == "tr":
            self.flush()
            removed = self.removed
            tpre, trp = _lx_state(name, pre, rp)
            self.emit_row([self._lx_flat(cell, tpre, trp) for cell in el
                           if isinstance(cell.tag, str) and cell.tag in CELLS and cell not in removed])
        elif name == "br":
            self.line_break()
        elif name == "button" and next(el.iterdescendants(HEADING_TAGS), None) is None:
            self.flush()
            self.emit(self._lx_flat(el, pre, rp), BUTTON_LEVEL)
        else:
            self.flush()
            cpre, crp = _lx_state(name, pre, rp)
            if len(el) == 0:             # text only (most list items): what the push, flush and pop would do
                text = el.text
                if name in ITEMS:
                    if text and not crp:
                        self.marker = "- " if name == "li" else ""
                        self.emit(_lx_text(text, cpre))
                    self.marker = ""
                elif text and not crp:
                    self.emit(_lx_text(text, cpre))
                return
            stack.append((iter(_lx_contents(el)), name, self.br_splits, cpre, crp))
            if name in ITEMS:
                self.marker = "- " if name == "li" else ""
                self.br_splits = False
            else:
                self.br_splits = True

    def _lx_flat(self, el: etree._Element, pre: bool, rp: bool) -> str:
        pre, rp = _lx_state(el.tag, pre, rp)
        if len(el) == 0:                                 # text only (most paragraphs and headings): no walk
            text = el.text
            return "" if not text or rp else _lx_text(text, pre)
        out: list[str] = []
        skip_layout = self.skip_layout
        removed = self.removed
        stack: list[Any] = [(iter(_lx_contents(el)), pre, rp)]
        while stack:
            children, pre, rp = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
            elif isinstance(child, str):
                if not rp:                               # _lx_text, inlined
                    out.append(child if pre or child.strip(_ASCII_SPACES) else "\n" if "\n" in child else " ")
            else:
                name = child.tag
                if not isinstance(name, str) or removed.cut(child, name):
                    continue
                if skip_layout and (self._lx_is_layout(child) if name in _LAYOUT_NAMES
                                    else child.get("role") in LAYOUT_ROLES):
                    continue
                if name in BLOCKS:
                    out.append(" ")
                    stack.append((iter((" ",)), True, False))
                cpre, crp = _lx_state(name, pre, rp)
                stack.append((iter(_lx_contents(child)), cpre, crp))
        return "".join(out)
