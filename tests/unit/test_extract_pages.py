"""monitor.extract.pages: each answer read by what it is; clear errors for what is not a document."""

from __future__ import annotations

import pytest

from monitor.errors import ExtractError
from monitor.extract.pages import RENDER_HINT, extract_pages, looks_script_only
from monitor.models import Document, FetchResult

TERMS_TXT = """TERMS OF SERVICE

1. You must be 13 or older to use the service.
Accounts of younger users are closed
when we learn of them.

2. We may change these terms. Updated 3 days ago.

3. Contact: legal@example.com
"""


def doc(**kwargs: object) -> Document:
    return Document(id="x/terms", service="x", service_name="X", name="terms",
                    urls=("https://example.com/terms",), **kwargs)  # type: ignore[arg-type]


def result(text: str, content_type: str, url: str = "https://example.com/terms") -> FetchResult:
    return FetchResult(url=url, final_url=url, status_code=200, body=text.encode(), content_type=content_type,
                       encoding="utf-8", text=text)


def test_plain_text_is_split_into_paragraphs() -> None:
    assert extract_pages(doc(), [result(TERMS_TXT, "text/plain")]) == [
        "TERMS OF SERVICE",
        "1. You must be 13 or older to use the service. Accounts of younger users are closed when we learn of them.",
        "2. We may change these terms. Updated.",
        "3. Contact: legal@example.com",
    ]


def test_plain_text_without_blank_lines_has_a_clause_per_line() -> None:
    assert extract_pages(doc(), [result("One rule.\nAnother rule.\n", "text/plain")]) == ["One rule.", "Another rule."]


@pytest.mark.parametrize(("content_type", "url"), [("text/markdown", "https://example.com/terms"),
                                                   ("text/plain", "https://example.com/TERMS.md")])
def test_markdown_is_read_as_markdown(content_type: str, url: str) -> None:
    md = "# Terms\n\nYou must be 13\nor older.\n\n- No spam.\n- No abuse.\n"
    assert extract_pages(doc(), [result(md, content_type, url)]) == [
        "# Terms", "You must be 13 or older.", "- No spam.", "- No abuse."]


def test_json_answer_is_a_clear_error() -> None:
    with pytest.raises(ExtractError, match=r"the answer is JSON \(application/json\), not a document"):
        extract_pages(doc(), [result('{"terms": "see /legal"}', "application/json")])


SHELL = """<!doctype html><html><head><title>Terms</title><script src="/static/app.4f1c.js" defer></script></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>"""


def test_script_only_shell_says_to_set_render() -> None:
    assert looks_script_only(SHELL)
    with pytest.raises(ExtractError, match="set `render: true`") as caught:
        extract_pages(doc(), [result(SHELL, "text/html")])
    assert RENDER_HINT in str(caught.value)


def test_an_empty_page_without_scripts_gets_no_render_hint() -> None:
    with pytest.raises(ExtractError) as caught:
        extract_pages(doc(), [result("<html><body><div></div></body></html>", "text/html")])
    assert RENDER_HINT not in str(caught.value)
