"""monitor.fetch.browser through real headless Chromium against a loopback server: a page whose text only
JavaScript writes, a 404, a server that never answers, and the error when Chromium is missing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.errors import BrowserUnavailable, FetchHTTPStatus, FetchTimeout, FetchTooLarge
from monitor.extract import extract_clauses
from monitor.fetch.browser import browser_available, fetch_rendered

needs_chromium = pytest.mark.skipif(
    not browser_available(),
    reason="Chromium or playwright not installed (make install; apt-get install chromium)")

JS_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>Terms</title></head>
<body><p>Loading\xe2\x80\xa6</p>
<script>
setTimeout(function () {
  document.body.innerHTML = '<main><h1>Terms of Service</h1>'
    + '<p>We may use your content to train our AI models.</p>'
    + '<p>You can opt out in your settings.</p></main>';
}, 200);
</script></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    release: threading.Event

    def do_GET(self) -> None:
        if self.path == "/terms":
            self._send(200, JS_PAGE)
        elif self.path == "/slow":
            self.release.wait(timeout=30)       # answers only when the test is over
            self._send(200, b"<p>too late</p>")
        else:
            self._send(404, b"<h1>Not Found</h1>")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:                          # the browser gave up and closed the connection
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    release = threading.Event()
    handler = type("Handler", (_Handler,), {"release": release})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@needs_chromium
def test_text_written_by_javascript_is_read(server: str) -> None:
    started = time.monotonic()
    result = fetch_rendered(f"{server}/terms", timeout=20, user_agent="tosmon-test/1.0", max_bytes=1_000_000)
    assert time.monotonic() - started < 20
    assert result.status_code == 200 and result.content_type == "text/html" and result.final_url.endswith("/terms")
    assert "Loading" not in result.text
    assert extract_clauses(result.text, source="acme/terms") == [
        "# Terms of Service",
        "We may use your content to train our AI models.",
        "You can opt out in your settings.",
    ]


@needs_chromium
def test_not_found_through_the_browser_is_an_http_status_error(server: str) -> None:
    with pytest.raises(FetchHTTPStatus, match=r"/missing: HTTP 404 Not Found$") as caught:
        fetch_rendered(f"{server}/missing", timeout=20, user_agent="tosmon-test/1.0", max_bytes=1_000_000)
    assert caught.value.status_code == 404 and not caught.value.transient


@needs_chromium
def test_a_server_that_never_answers_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"/slow: timed out") as caught:
        fetch_rendered(f"{server}/slow", timeout=2, user_agent="tosmon-test/1.0", max_bytes=1_000_000)
    assert caught.value.transient and time.monotonic() - started < 15


@needs_chromium
def test_rendered_page_over_the_cap_is_refused(server: str) -> None:
    with pytest.raises(FetchTooLarge, match=r"exceeds the 100-byte cap"):
        fetch_rendered(f"{server}/terms", timeout=20, user_agent="tosmon-test/1.0", max_bytes=100)


def test_missing_chromium_names_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TOSMON_CHROMIUM", str(tmp_path / "no-chromium"))
    assert not browser_available()
    with pytest.raises(BrowserUnavailable, match=r"no-chromium.*make install \(or pip install -e '\.\[browser\]' "
                                                 r"in the checkout\) and apt-get install chromium") as caught:
        fetch_rendered("https://example.invalid/terms", timeout=5, user_agent="t", max_bytes=1000)
    assert caught.value.url == "https://example.invalid/terms" and not caught.value.transient
