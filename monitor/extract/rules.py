"""What extraction removes by default, as data, and the one test that applies it to either tree.

Two tiers. `ALWAYS_REMOVE` (scripts, styles, form controls, hidden elements, cookie banners, ...) is cut from
the tree before anything else. `LAYOUT_REMOVE` (nav, site header and footer, aside, search forms) is skipped
while walking, unless skipping it would leave no text at all.

`DEFAULT_REMOVE` states the rules as CSS (what a user would write); the walks apply them with
`removed_by_rules` and the layout tests, the same rules in plain Python: soupsieve would cost ~50 ms per
100 KB page (tests/unit/test_extract.py checks both agree).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

REMOVE_TAGS = frozenset({
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "frame", "object", "embed",
    "canvas", "video", "audio", "map", "meta", "link", "input", "select", "textarea", "button", "datalist",
})
# A hidden element that holds paragraphs is kept: collapsed accordions hide terms text the same way.
BLOCK_CONTENT = ("p",)    # menus hide lists and headings; collapsed terms hide paragraphs
COOKIE_WORDS = ("cookie-banner", "cookie-notice", "cookie-consent", "cookiebanner", "cookieconsent",
                "cookie-bar", "cookie-popup", "cookie-law", "consent-banner", "consent-manager", "gdpr-banner",
                "gdpr-consent", "onetrust", "didomi", "cookiebot", "usercentrics", "truste-consent", "qc-cmp",
                "sp_message_container", "fc-consent", "cmp-container", "cc-window", "cc-banner")
SECTIONING = frozenset({"article", "main", "section"})
LAYOUT_ROLES = frozenset({"navigation", "banner", "contentinfo", "search"})

_NOT_BLOCKY = f":not(:has({', '.join(BLOCK_CONTENT)}))"
ALWAYS_REMOVE: tuple[str, ...] = (
    *sorted(REMOVE_TAGS),
    "dialog:not([open])",
    f"[hidden]:not([hidden=until-found]){_NOT_BLOCKY}",
    f'[aria-hidden="true" i]{_NOT_BLOCKY}',
    f'[style*="display:none" i]{_NOT_BLOCKY}',
    f'[style*="display: none" i]{_NOT_BLOCKY}',
    '[role="alertdialog"]',
    *(f'[{attr}*="{word}" i]' for word in COOKIE_WORDS for attr in ("id", "class")),
)
LAYOUT_REMOVE: tuple[str, ...] = (
    "nav", "aside", "form:not(:has(h1, h2))",
    "header:not(article header, main header, section header)",
    "footer:not(article footer, main footer, section footer)",
    *(f'[role="{role}"]' for role in sorted(LAYOUT_ROLES)),
)
DEFAULT_REMOVE: tuple[str, ...] = ALWAYS_REMOVE + LAYOUT_REMOVE


def removed_by_rules(name: str, attrs: Mapping[str, Any], has_block_content: Callable[[], bool]) -> bool:
    """ALWAYS_REMOVE, in Python, for either tree: a tag name, its attributes (a class may be a list, as bs4
    gives it) and whether it holds block content (a hidden element that holds paragraphs is kept)."""
    if name in REMOVE_TAGS:
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
            if any(word in value for word in COOKIE_WORDS):
                return True
    return False
