"""monitor.fetch.strategy: the fetcher for each page (`render` per page of a multi-page document)."""

from __future__ import annotations

import httpx
import pytest

from monitor.errors import ConfigError
from monitor.fetch import strategy
from monitor.models import DocumentState, FetchResult
from monitor.watchlist import parse_watchlist

WATCHLIST = """services:
  acme:
    documents:
      terms:
        urls:
          - https://acme.example/terms
          - {url: "https://app.acme.example/ai-terms", render: true}
"""


def test_render_per_page_of_a_multi_page_document(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_watchlist(WATCHLIST).documents[0]
    assert doc.urls == ("https://acme.example/terms", "https://app.acme.example/ai-terms")
    assert not doc.render and doc.renders("https://app.acme.example/ai-terms")
    rendered: list[str] = []

    def fake_rendered(url: str, **_: object) -> FetchResult:   # Chromium is not part of a unit test
        rendered.append(url)
        return FetchResult(url=url, final_url=url, status_code=200, body=b"<p>AI</p>", content_type="text/html",
                           text="<p>AI</p>")

    monkeypatch.setattr("monitor.fetch.browser.fetch_rendered", fake_rendered)
    plain = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, html="<p>Terms</p>")))
    with plain:
        fetched = strategy.fetch_pages(doc, DocumentState(id=doc.id, service_name="Acme", url=doc.url), plain)
    assert rendered == ["https://app.acme.example/ai-terms"]
    assert [r.text for r in fetched.results] == ["<p>Terms</p>", "<p>AI</p>"]


def test_a_page_mapping_needs_a_url_and_known_keys() -> None:
    with pytest.raises(ConfigError, match='missing key "url"'):
        parse_watchlist(WATCHLIST.replace('url: "https://app.acme.example/ai-terms", ', ""))
    with pytest.raises(ConfigError, match="unknown key"):
        parse_watchlist(WATCHLIST.replace("render: true", "render: true, colour: red"))
