"""What extraction removes by default, as data, and the one test that applies it to either tree.

Two tiers. `ALWAYS_REMOVE` (scripts, styles, form controls, hidden elements, cookie banners, ...) is cut from
the tree before anything else. `LAYOUT_REMOVE` (nav, site header and footer, aside, search forms) is skipped
while walking, unless skipping it would leave no text at all.

`DEFAULT_REMOVE` states the rules as CSS (what a user would write); the walks apply them with
`removed_by_rules` and the layout tests, the same rules in plain Python: soupsieve would cost ~50 ms per
100 KB page (tests/unit/test_extract.py checks both agree).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

REMOVE_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "object", "embed",
    "canvas", "video", "audio", "map", "meta", "link", "input", "select", "textarea", "button", "datalist",
    "title",
})
# A hidden element that holds paragraphs is kept: collapsed accordions hide terms text the same way.
BLOCK_CONTENT = ("p",)    # menus hide lists and headings; collapsed terms hide paragraphs
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Consent-management platforms, by the ids and class prefixes their banners carry (substrings, lowercase).
CMP_MARKS = ("onetrust", "optanon", "didomi", "cookiebot", "usercentrics", "axeptio", "qc-cmp", "quantcast",
             "truste-consent", "trustarc", "truste_", "iubenda", "sp_message", "sourcepoint", "cmplz",
             "cookieyes", "cky-consent", "osano", "termly-", "klaro", "tarteaucitron", "borlabs", "cookie-script",
             "moove_gdpr", "fc-consent", "cmp-container", "cc-window", "cc-banner", "consent-manager")
COOKIE_WORDS = CMP_MARKS      # the name this list had; kept for callers that read it
# A cookie/consent word next to a banner word, once separators and case are gone: siteCookieAlert,
# gdprConsentBanner, cookie_notice, cookies-bar. Not "cookie-policy" (the document itself).
_THEME = r"(?:cookies?|consent|gdpr|rgpd)"
_WIDGET = (r"(?:banner|notice|alert|bar|popup|modal|dialog|overlay|wall|message|prompt|consent|law|box|layer|"
           r"notification|toast|disclaimer|manager|container|window)")
BANNER_NAME_RE = re.compile(f"{_THEME}{_WIDGET}|(?:banner|popup|modal|notice){_THEME}")
#: Words that make a dialog or alert a consent dialog (en, fr, de, es, it, nl, pt).
CONSENT_TEXT_RE = re.compile(r"cookie|consent|traceur|einwilligung|consenso|toestemming|consentimiento|gdpr|rgpd")
#: A generic banner name on an element with more text than this is page structure ("has-cookie-notice").
BANNER_MAX_CHARS = 3000
DIALOG_ROLES = frozenset({"dialog", "alertdialog", "alert"})
SECTIONING = frozenset({"article", "main", "section"})
LAYOUT_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})

_NOT_BLOCKY = f":not(:has({', '.join(BLOCK_CONTENT)}))"
_DISCLOSURE = (":not([aria-expanded]):not([aria-controls])"
               f":not(:is({', '.join(HEADING_TAGS)}) > button):not(:has({', '.join(HEADING_TAGS)}))")
ALWAYS_REMOVE: tuple[str, ...] = (
    *sorted(REMOVE_TAGS - {"button"}),
    f"button{_DISCLOSURE}",
    "dialog:not([open])",
    f"[hidden]:not([hidden=until-found]){_NOT_BLOCKY}",
    f'[aria-hidden="true" i]{_NOT_BLOCKY}',
    f'[style*="display:none" i]{_NOT_BLOCKY}',
    f'[style*="display: none" i]{_NOT_BLOCKY}',
    '[role="alertdialog"]',
    *(f'[{attr}*="{word}" i]' for word in CMP_MARKS for attr in ("id", "class")),
)
# Besides these CSS rules (what a user could write), the walks also remove what CSS cannot say: ids and
# classes naming a cookie banner in one word or camelCase (BANNER_NAME_RE), and dialogs and alerts
# (role=dialog|alert, aria-modal, <dialog open>) about cookies or consent. While a modal dialog is open
# (aria-modal="true"), aria-hidden="true" on the rest of the page is the modal's doing, not hiddenness.
LAYOUT_REMOVE: tuple[str, ...] = (
    "nav", "aside", "form:not(:has(h1, h2))",
    "header:not(article header, main header, section header)",
    "footer:not(article footer, main footer, section footer)",
    *(f'[role="{role}"]' for role in sorted(LAYOUT_ROLES)),
)
DEFAULT_REMOVE: tuple[str, ...] = ALWAYS_REMOVE + LAYOUT_REMOVE

# Link blocks (default extraction only, skipped like layout): menus, "related articles" and footers built of
# lists, paragraphs or divs of links. A block of these tags whose visible characters are nearly all the text
# of at least LINK_BLOCK_MIN_LINKS links to other pages (not in-page anchors) and that is short; a heading
# right before one goes with it (the footer column's title).
LINK_BLOCK_TAGS = frozenset({"ul", "ol", "div", "p", "section", "table", "td", "dl"})
LINK_BLOCK_MIN_LINKS = 3
LINK_BLOCK_SHARE = 0.9
LINK_BLOCK_MAX_CHARS = 2000
LINK_BLOCK_DEPTH = 4           # ul > li > a, div > a, div > ul > li > a: a block sits close above its links


def is_page_link(href: str | None) -> bool:
    """A link to another page (not an in-page anchor, not a script)."""
    href = (href or "").strip()
    return bool(href) and not href.startswith("#") and not href.lower().startswith("javascript:")


def is_link_block(links: int, link_chars: int, chars: int) -> bool:
    """Whether a block with `links` page links holding `link_chars` of its `chars` visible characters is a
    link block."""
    return (links >= LINK_BLOCK_MIN_LINKS and 0 < chars <= LINK_BLOCK_MAX_CHARS
            and link_chars >= LINK_BLOCK_SHARE * chars)


_THEME_WORDS = ("cookie", "consent", "gdpr", "rgpd")
_CMP_RE = re.compile("|".join(map(re.escape, CMP_MARKS)))
_ANY_MARK_RE = re.compile("|".join(map(re.escape, CMP_MARKS + _THEME_WORDS)))   # either, in one scan


def _value(value: Any) -> str:
    """An id or class attribute as one lowercase string (bs4 gives a class as a list)."""
    return (" ".join(map(str, value)) if isinstance(value, list) else str(value)).lower()


def is_banner_name(value: Any) -> bool:
    """Whether an id/class value holds the mark of a consent-management platform."""
    return _CMP_RE.search(_value(value)) is not None


def is_generic_banner_name(value: Any) -> bool:
    """Whether an id/class value joins a cookie word to a banner word once separators are dropped
    (siteCookieAlert, gdpr-consent-banner, cookies_bar)."""
    return BANNER_NAME_RE.search(_value(value).replace("-", "").replace("_", "")) is not None


class Tree(Protocol):
    """What the removal rules ask of an element, for either tree (lxml, BeautifulSoup)."""

    def has_block_content(self, el: Any) -> bool: ...
    def has_heading(self, el: Any) -> bool: ...
    def text(self, el: Any) -> str: ...
    def parent_name(self, el: Any) -> str: ...


def removed_by_rules(name: str, attrs: Mapping[str, Any], el: Any, tree: Tree, *, modal_open: bool = False) -> bool:
    """ALWAYS_REMOVE and the rules CSS cannot say, in Python, for either tree: a tag name, its attributes (a
    class may be a list, as bs4 gives it), the element and what `tree` says of it (whether it holds block
    content: a hidden element that holds paragraphs is kept; its text, for dialogs and generic banner names;
    its parent and headings, for disclosure buttons); whether a modal is open on the page."""
    if name in REMOVE_TAGS:
        if name == "button":
            return not (attrs.get("aria-expanded") is not None or attrs.get("aria-controls") is not None
                        or tree.parent_name(el) in HEADING_TAGS or tree.has_heading(el))
        return True
    if name == "dialog":
        if "open" not in attrs:
            return True
        if CONSENT_TEXT_RE.search(tree.text(el)[:BANNER_MAX_CHARS].lower()):
            return True
    if not attrs or name in ("html", "body"):
        return False
    role = attrs.get("role")
    if role == "alertdialog":
        return True
    if (role in DIALOG_ROLES or attrs.get("aria-modal") == "true") and \
            CONSENT_TEXT_RE.search(tree.text(el)[:BANNER_MAX_CHARS].lower()):
        return True
    hidden = attrs.get("hidden")
    style = attrs.get("style")
    style = style.lower() if isinstance(style, str) else ""
    aria = attrs.get("aria-hidden")
    if ((hidden is not None and hidden != "until-found")
            or (not modal_open and isinstance(aria, str) and aria.lower() == "true")
            or "display:none" in style or "display: none" in style):
        if not tree.has_block_content(el):
            return True
    ident, classes = attrs.get("id"), attrs.get("class")
    if ident or classes:
        names = f"{_value(ident) if ident else ''} {_value(classes) if classes else ''}"
        if _ANY_MARK_RE.search(names) is None:   # most ids and classes: neither test can hold
            return False
        if _CMP_RE.search(names) is not None:
            return True
        if any(word in names for word in _THEME_WORDS) and is_generic_banner_name(names) and \
                len(tree.text(el)) <= BANNER_MAX_CHARS:
            return True
    return False
