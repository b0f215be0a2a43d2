"""The hostile web through `tosmon check`: every bad answer is an error with its reason in `status`, none
produces a version or a change, and the other documents are still checked."""

from __future__ import annotations

import gzip
import http.server
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

PARAGRAPHS = [f"Clause {i}: we process the information you give us to provide, secure and improve the service, "
              f"and we keep it only as long as section {i} of this policy allows." for i in range(40)]
GOOD = ("<html><head><title>Privacy Policy</title></head><body><main><h1>Privacy Policy</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</main></body></html>").encode()
# No external script reference: the wall is retried through headless Chromium, which must stay on loopback.
CHALLENGE = (b"<html><head><title>Just a moment...</title></head><body><div class='cf-browser-verification'>"
             b"<p>Checking your browser before accessing the site.</p></div></body></html>")
CUT = ("<html><head><title>Privacy Policy</title></head><body><main><h1>Privacy Policy</h1>"
       + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:12]) + "</main></body></html>").encode()
GZIP_BOMB = gzip.compress(b"<p>" + b"a" * (60 * 1024 * 1024) + b"</p>", compresslevel=1)  # 60 MB inflated
INVALID = GOOD.replace(b"information", b"inform\xff\xfetion", 3)

# name -> the reason `status` must show
HOSTILE = {
    "timeout": "timed out",
    "reset": "",                       # any network error
    "http500": "HTTP 500",
    "http503": "HTTP 503",
    "http429": "HTTP 429",
    "redirect-loop": "redirect",
    "huge": "cap",
    "gzip-bomb": "cap",
    "bad-charset": "invalid in the page's charset",
    "challenge": "bot wall",
    "empty": "no text",
    "cut": "shrank",
}


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode: dict[str, bool] = {"hostile": False}

    def log_message(self, *args: Any) -> None:
        pass

    def send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        name = self.path.strip("/")
        if not self.mode["hostile"] or name == "control":
            body = GOOD if not (self.mode["hostile"] and name == "control") else GOOD.replace(b"Clause 3:", b"Rule 3:")
            return self.send(200, body)
        if name == "timeout":
            time.sleep(3)
            return self.send(200, GOOD)
        if name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return None
        if name.startswith("http"):
            return self.send(int(name[4:]), b"<html><body>error</body></html>", Retry_After="120")
        if name == "redirect-loop":
            return self.send(302, b"", Location="/redirect-loop")
        if name == "huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: streamed until the client stops reading
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            try:
                for _ in range(50 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return None
        if name == "gzip-bomb":
            return self.send(200, GZIP_BOMB, Content_Encoding="gzip")
        if name == "bad-charset":
            return self.send(200, INVALID)
        if name == "challenge":
            return self.send(200, CHALLENGE)
        if name == "empty":
            return self.send(200, b"")
        if name == "cut":
            return self.send(200, CUT)
        return self.send(404, b"")


@pytest.fixture
def hostile_server() -> Iterator[str]:
    Hostile.mode = {"hostile": False}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_no_bad_answer_becomes_a_version(hostile_server, write_watchlist, run_cli, db_path):
    names = [*HOSTILE, "control"]
    # One service per document: different "hosts" for the scheduler, same loopback server.
    # Only the stalling page gets a short timeout: under load, the others must fail for their own reason.
    write_watchlist("defaults:\n  timeout: 30s\nservices:\n" + "".join(
        f"  {name}:\n    documents:\n      policy:\n        url: {hostile_server}/{name}\n"
        + ("        timeout: 1s\n" if name == "timeout" else "") for name in names))
    first = run_cli("check")
    assert first.exit_code == 0, first.output
    assert all(line.endswith("new") for line in first.stdout.splitlines())

    Hostile.mode["hostile"] = True
    second = run_cli("check")
    assert second.exit_code == 1
    lines = dict(line.split(None, 1) for line in second.stdout.splitlines())
    assert lines.pop("control/policy") == "changed (+0 -0 ~1)"
    assert set(lines) == {f"{name}/policy" for name in HOSTILE}
    assert all(outcome.startswith("error: ") for outcome in lines.values()), lines

    with sqlite3.connect(db_path) as conn:
        versions = dict(conn.execute("SELECT document_id, count(*) FROM versions GROUP BY document_id"))
        changes = [row[0] for row in conn.execute("SELECT document_id FROM changes")]
    assert versions == {f"{name}/policy": (2 if name == "control" else 1) for name in names}
    assert changes == ["control/policy"]

    status = {s["id"]: s for s in json.loads(run_cli("status", "--json").stdout)}
    for name, reason in HOSTILE.items():
        entry = status[f"{name}/policy"]
        assert entry["last_status"] == "error" and entry["consecutive_failures"] == 1, entry
        assert reason.lower() in entry["last_error"].lower(), (name, entry["last_error"])
