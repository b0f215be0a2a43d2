"""The BeautifulSoup path: for documents with `select`/`remove` (CSS, and Open Terms Archive ranges).

bs4 and soupsieve are imported on first use; a page without selectors takes `monitor.extract.fast`, which
gives the same clauses from lxml's own tree.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from monitor.css import SelectorError, compile_css
from monitor.errors import ExtractError
from monitor.extract.blocks import BLOCKS, BUTTON_LEVEL, CELLS, FLAT, HEADINGS, ITEMS, ClauseWriter
from monitor.extract.rules import BLOCK_CONTENT, HEADING_TAGS, LAYOUT_ROLES, SECTIONING, removed_by_rules
from monitor.models import RangeSelector

if TYPE_CHECKING:
    import soupsieve
    from bs4 import BeautifulSoup, Tag
    from bs4.element import PageElement


@lru_cache(maxsize=1)
def _bs4_types() -> tuple[type[Tag], tuple[type, ...]]:
    """BeautifulSoup's element class and the node classes that are text, imported on first use."""
    from bs4.element import NavigableString, RubyTextString, Tag

    return Tag, (NavigableString, RubyTextString, str)


def soup_clauses(html: str, select: Sequence[str | RangeSelector], remove: Sequence[str | RangeSelector],
                 ignore_re: re.Pattern[str] | None, prefix: str) -> list[str]:
    """The clauses of `html` read through BeautifulSoup: ALWAYS_REMOVE and `remove` cut, then each `select`
    root walked (layout skipped unless that leaves nothing). ExtractError when nothing is left."""
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    modal_open = soup.find(True, attrs={"aria-modal": "true"}) is not None
    keep = _protected(soup, select, prefix) if select else set()
    for tag in [tag for tag in soup.find_all(True) if id(tag) not in keep and _always_removed(tag, modal_open)]:
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
    clauses = SoupWalker(ignore_re, skip_layout=True).run(roots)
    if not clauses:
        clauses = SoupWalker(ignore_re, skip_layout=False).run(roots)   # all header/footer/nav: keep it
    if not clauses:
        raise ExtractError(f"{prefix}no text extracted")
    return clauses


def _always_removed(tag: Tag, modal_open: bool = False) -> bool:
    """The removal rules (`monitor.extract.rules`) on a BeautifulSoup tag."""
    return removed_by_rules(tag.name, tag.attrs, tag, _SOUP_TREE, modal_open=modal_open)


class _SoupTree:
    """`monitor.extract.rules.Tree` for BeautifulSoup tags."""

    @staticmethod
    def has_block_content(tag: Tag) -> bool:
        return tag.find(BLOCK_CONTENT) is not None

    @staticmethod
    def has_heading(tag: Tag) -> bool:
        return tag.find(HEADING_TAGS) is not None

    @staticmethod
    def text(tag: Tag) -> str:
        return tag.get_text()

    @staticmethod
    def parent_name(tag: Tag) -> str:
        return tag.parent.name if tag.parent is not None else ""


_SOUP_TREE = _SoupTree()


def _protected(soup: BeautifulSoup, select: Sequence[str | RangeSelector], prefix: str) -> set[int]:
    """The ids of each `select` match and its ancestors: the removal rules never prune them (a consent
    modal's aria-hidden on the page beside it must not take the document with it)."""
    keep: set[int] = set()
    for sel in select:
        if isinstance(sel, str):
            for tag in _css((sel,), prefix).select(soup):
                keep.add(id(tag))
                keep.update(id(parent) for parent in tag.parents)
    return keep


def _is_layout(tag: Tag) -> bool:
    """LAYOUT_REMOVE, in Python."""
    name = tag.name
    if name == "nav" or name == "aside":
        return True
    if name == "header" or name == "footer":
        return not any(parent.name in SECTIONING for parent in tag.parents)
    if name == "form":
        return tag.find(("h1", "h2")) is None
    role = tag.attrs.get("role") if tag.attrs else None
    return role in LAYOUT_ROLES


def _css(selectors: tuple[str, ...], prefix: str) -> soupsieve.SoupSieve:
    try:
        return compile_css(selectors)
    except SelectorError as exc:
        joined = ", ".join(selectors)
        raise ExtractError(f'{prefix}selector "{joined}" is invalid: {exc}') from exc


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


class SoupWalker(ClauseWriter):
    """One iterative pass over a BeautifulSoup tree (no recursion: hostile pages nest thousands deep)."""

    def run(self, roots: Sequence[PageElement]) -> list[str]:
        tag_type, text_types = _bs4_types()
        for root in roots:
            if isinstance(root, tag_type):
                self._walk(root, inline=root.name not in BLOCKS)
            elif type(root) in text_types:      # loose text a range selected
                self.buf.append(str(root))
        self.flush()
        return self.clauses

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
                    if block in ITEMS:
                        self.marker = ""
            elif isinstance(child, tag_type):
                if skip_layout and _is_layout(child):
                    continue
                if child.name in BLOCKS:
                    self._open(child, stack)
                else:
                    stack.append((iter(child.contents), None, False))
            elif type(child) in text_types:
                buf.append(str(child))

    def _open(self, tag: Tag, stack: list[tuple[Iterator[PageElement], str | None, bool]]) -> None:
        """Meet a block: leaf blocks become clauses at once; containers and items push a frame."""
        name = tag.name
        if name in HEADINGS:
            self.flush()
            self.emit(self._flat(tag), HEADINGS[name])
        elif name in FLAT:
            self.flush()
            self.emit(self._flat(tag))
        elif name == "tr":
            self.flush()
            self.emit_row([self._flat(cell) for cell in tag.children
                           if isinstance(cell, _bs4_types()[0]) and cell.name in CELLS])
        elif name == "br":
            self.line_break()
        elif name == "button" and tag.find(HEADING_TAGS) is None:
            self.flush()
            self.emit(self._flat(tag), BUTTON_LEVEL)
        else:
            self.flush()
            stack.append((iter(tag.contents), name, self.br_splits))
            if name in ITEMS:
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
                if child.name in BLOCKS:
                    out.append(" ")
                    stack.append(iter((" ",)))
                stack.append(iter(child.contents))
            elif type(child) in text_types:
                out.append(str(child))
        return "".join(out)
