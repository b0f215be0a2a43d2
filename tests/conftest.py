"""Shared fixtures: real loopback HTTP servers, a real SQLite file, the CLI with its environment in tmp."""

from __future__ import annotations

import hashlib
import http.server
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


class _QuietServer(http.server.ThreadingHTTPServer):
    """A loopback server that does not print a traceback on stderr when a client hangs up mid-answer (a
    deadline, a cancelled check): the tests read the CLI's stderr, which shares this process's stream."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Page:
    """What the page server answers for one path."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0          # seconds before answering (a slow origin)


class PageServer:
    """A real HTTP server on 127.0.0.1 whose pages a test swaps between checks."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                page = server.pages.get(self.path)
                if page is None:
                    page = Page(body=b"not found", status=404, content_type="text/plain")
                if page.delay:
                    time.sleep(page.delay)
                tag = '"' + hashlib.sha1(page.body).hexdigest() + '"'
                if page.etag and page.status == 200 and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                if page.etag and page.status == 200:
                    self.send_header("ETag", tag)
                for key, value in page.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(page.body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: str | bytes, **kwargs: Any) -> None:
        self.pages[path] = Page(body=body.encode() if isinstance(body, str) else body, **kwargs)

    def start(self) -> PageServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    server = PageServer().start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return {k.lower(): v for k, v in self.headers.items()}[name.lower()]


@dataclass
class Receiver:
    """A loopback webhook receiver: answers `script` in order (then 200) and records each request."""

    port: int = 0
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    receiver.requests.append(Received(dict(self.headers), body))
                    status, headers = receiver.script.pop(0) if receiver.script else (200, {})
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = _QuietServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        """Stop serving (idempotent: the fixture stops every receiver again at the end)."""
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.thread.join(timeout=5)
        self.httpd.server_close()


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    """Start webhook receivers (`make_receiver(port=0)`); all are stopped after the test."""
    started: list[Receiver] = []

    def make(port: int = 0) -> Receiver:
        server = Receiver(port=port)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def _wait_for(predicate: Callable[[], bool], *, timeout: float = 30.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not met before the deadline")


def _count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


@pytest.fixture
def wait_for() -> Callable[..., None]:
    """`wait_for(predicate, timeout=30)`: poll until true, fail at the deadline (never a bare sleep)."""
    return _wait_for


@pytest.fixture
def count_rows() -> Callable[[Path, str], int]:
    """`count_rows(db_path, "versions")`: rows in a table of a database another process writes (0 if absent)."""
    return _count


@pytest.fixture
def write_watchlist(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "watchlist.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "monitor.db"


@pytest.fixture
def run_cli(tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Invoke the real CLI with TOSMON_DB / TOSMON_WATCHLIST pointing into tmp_path."""
    monkeypatch.setenv("TOSMON_DB", str(db_path))
    monkeypatch.setenv("TOSMON_WATCHLIST", str(tmp_path / "watchlist.yaml"))
    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)

    return run
