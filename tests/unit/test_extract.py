"""extract_clauses: data-driven cases from tests/data/extract/*.yaml, plus properties the cases can't state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import ExtractError
from monitor.extract import ALWAYS_REMOVE, DEFAULT_REMOVE, LAYOUT_REMOVE, extract_clauses, links, rules
from monitor.extract import html as extract
from monitor.extract import soup as soup_path
from monitor.extract.markdown import clauses_from_markdown

DATA = Path(__file__).resolve().parents[1] / "data" / "extract"
KEYS = {"name", "html", "select", "remove", "ignore", "source", "expected", "error"}


def _cases() -> list[Any]:
    params = []
    for path in sorted(DATA.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            assert set(case) <= KEYS, f"{path.name}: {case.get('name')}: unknown keys {set(case) - KEYS}"
            assert ("expected" in case) != ("error" in case), f"{path.name}: {case['name']}: expected xor error"
            params.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return params


CASES = _cases()


@pytest.mark.parametrize("case", CASES)
def test_extract_case(case: dict[str, Any]) -> None:
    kwargs = {key: case[key] for key in ("select", "remove", "ignore", "source") if key in case}
    if "error" in case:
        with pytest.raises(ExtractError) as info:
            extract_clauses(case["html"], **kwargs)
        assert case["error"] in str(info.value)
    else:
        assert extract_clauses(case["html"], **kwargs) == case["expected"]


@pytest.mark.parametrize("case", [c for c in CASES if not {"select", "remove"} & set(c.values[0])
                                  and "expected" in c.values[0]])
def test_lxml_and_beautifulsoup_paths_agree(case: dict[str, Any]) -> None:
    """Pages without select/remove take the fast lxml walker; a remove that matches nothing forces the
    BeautifulSoup walker. Both must give the same clauses."""
    ignore = case.get("ignore", ())
    fast = extract_clauses(case["html"], ignore=ignore)
    assert fast == extract_clauses(case["html"], ignore=ignore, remove=["#tosmon-matches-nothing"])


def test_data_files_cover_the_brief() -> None:
    names = " ".join(case.values[0]["name"] for case in CASES)
    for topic in ("headings", "list", "table", "nav", "script", "form", "cookie", "select", "ignore",
                  "matching nothing", "hidden input", "NBSP", "nested divs"):
        assert topic in names, topic


BASE = """<!doctype html><html><head><title>Terms</title>{head}</head><body>
<header><nav><a href="/">Home</a></nav></header>
<main><h1>Terms of Service</h1><p>We may use your content to improve our services.{inline}</p>
<form action="/x">{form}</form><ul><li>One</li><li>Two</li></ul>{body}</main>
<footer><p>&copy; 2025</p></footer></body></html>"""

tokens = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=24)


@settings(max_examples=60, deadline=None)
@given(token=tokens)
def test_token_outside_the_text_changes_nothing(token: str) -> None:
    """A page whose only difference is a token in a script, style, hidden input, meta tag, comment or
    attribute gives the same clauses."""
    base = extract_clauses(BASE.format(head="", inline="", form="", body=""))
    noisy = BASE.format(
        head=f'<meta name="csrf-token" content="{token}"><script>var t="{token}"</script>'
             f'<style>.c-{token}{{}}</style>',
        inline=f'<!-- {token} --><span data-t="{token}" class="x-{token}"></span>',
        form=f'<input type="hidden" name="csrf" value="{token}">',
        body=f'<script nonce="{token}">track("{token}")</script><noscript>{token}</noscript>'
             f'<div hidden>{token}</div><template>{token}</template>',
    )
    assert extract_clauses(noisy) == base


SAMPLE_PAGE = """<html><body>
<header class="site"><div role="banner">Brand</div><nav>Menu</nav></header>
<article><header><h1>T</h1></header><section><footer>Section end</footer></section></article>
<main><header>Main header</header><aside>Aside</aside><form><input name="q"></form>
<form><h2>Wrapped</h2><p>Kept</p></form><div hidden>h</div><div hidden><p>Panel</p></div>
<div hidden="until-found">f</div><span aria-hidden="TRUE">i</span><div aria-hidden="true"><p>Open</p></div>
<div style="color:red; Display:None">s</div><div style="display: none"><p>P</p></div>
<dialog>closed</dialog><dialog open>open</dialog><div role="alertdialog">Alert</div>
<div id="onetrust-banner-sdk">One</div><div class="x COOKIE-BANNER y">Cookie</div>
<section id="cookies">Cookies section</section><div role="search">Search</div>
<div role="contentinfo">Info</div><div role="navigation">Nav</div></main>
<footer class="site">Site footer</footer><script>x</script><style>y</style></body></html>"""


@pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")
@pytest.mark.parametrize("html", [SAMPLE_PAGE] + [case.values[0]["html"] for case in CASES],
                         ids=["sample page"] + [case.id for case in CASES])
def test_default_remove_css_matches_the_fast_rules(html: str) -> None:
    """DEFAULT_REMOVE states the rules as CSS; the walk applies them in Python. Both agree, except for the
    rules CSS cannot say (banner names in one word or camelCase, dialogs about cookies)."""
    soup = BeautifulSoup(html, "lxml")
    tags = soup.find_all(True)
    by_css = set(map(id, soup.select(", ".join(ALWAYS_REMOVE))))
    by_code = {id(tag) for tag in tags if soup_path._always_removed(tag)}
    assert by_css - {id(soup.html), id(soup.body)} <= by_code
    for tag in tags:
        if id(tag) in by_code - by_css:
            assert any(rules.is_generic_banner_name(tag.get(attr) or "") for attr in ("id", "class")) or (
                rules.CONSENT_TEXT_RE.search(tag.get_text().lower())), tag
    assert {id(t) for t in tags if soup_path._is_layout(t)} == set(map(id, soup.select(", ".join(LAYOUT_REMOVE))))
    assert DEFAULT_REMOVE == ALWAYS_REMOVE + LAYOUT_REMOVE


MARKDOWN = """# Terms of Service

Last updated: 3 November 2025.

## 1. Your content

We may use **your content** and [public posts](https://example.com/posts) to train *AI models*.

- Profile information
- Posts and comments
  1. nested item

| Data | Purpose |
|------|---------|
| Email | Login |
| Posts | Training |

> Quoted notice paragraph.

### 1.1 Opting out

You can object in *Settings > Privacy*.
"""


def test_same_shape_as_markdown() -> None:
    markdown = pytest.importorskip("markdown")
    html = markdown.markdown(MARKDOWN, extensions=["tables"])
    assert extract_clauses(html) == clauses_from_markdown(MARKDOWN)


@pytest.mark.parametrize("tag", ["div", "span", "li", "blockquote"])
def test_deep_nesting_does_not_recurse(tag: str) -> None:
    depth = 5000
    html = "<body>" + f"<{tag}>" * depth + "deep" + f"</{tag}>" * depth + "</body>"
    assert [clause.removeprefix("- ") for clause in extract_clauses(html)] == ["deep"]


def test_select_and_remove_are_applied_to_a_fresh_tree_each_call() -> None:
    html = "<body><main><p>A</p><p class='x'>B</p></main></body>"
    assert extract_clauses(html, remove=[".x"]) == ["A"]
    assert extract_clauses(html) == ["A", "B"]


def test_extractor_version_is_an_int() -> None:
    assert isinstance(extract.EXTRACTOR_VERSION, int) and extract.EXTRACTOR_VERSION >= 1


def test_page_links_by_text_absolute_first_wins():
    html = ('<html><body><p>Opt out in your <a href="/settings/ai?x=1">settings</a> or write to '
            '<a href="mailto:privacy@example.com?subject=AI">our   privacy team</a>.</p>'
            '<a href="/other">settings</a><a href="javascript:void(0)">menu</a><a href="#top">x</a>'
            '</body></html>')
    assert links.page_links(html, "https://example.com/legal/privacy") == {
        "settings": "https://example.com/settings/ai?x=1",
        "our privacy team": "privacy@example.com",
    }
    assert links.page_links("", "https://example.com/") == {}


@pytest.mark.parametrize("depth", [255, 256, 300])
def test_a_page_deeper_than_libxml2_builds_loses_nothing_after_the_deep_part(depth: int) -> None:
    html = "<body><h1>Terms</h1>" + "<div>" * depth + "deep" + "</div>" * depth + "<p>After the deep part.</p></body>"
    assert extract_clauses(html) == ["# Terms", "deep", "After the deep part."]
