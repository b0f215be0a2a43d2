"""fetch_document against a real, hostile HTTP server on 127.0.0.1: oversize bodies, a gzip bomb, a redirect
loop, bad charset bytes, a stalled server, a slow drip and connection resets. Every case is bounded in time."""

from __future__ import annotations

import gzip
import http.server
import socket
import struct
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from monitor.errors import FetchHTTPStatus, FetchNetworkError, FetchTimeout, FetchTooLarge
from monitor.fetch import MAX_BODY_BYTES, fetch_document, make_client

CHUNK = b"<p>" + b"x" * 65530 + b"</p>"    # 64 KiB
BIG = 50 * 1024 * 1024


def _gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    return b"".join(compressor.compress(block) for _ in range(size >> 20)) + compressor.flush()


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):     # resets and hang-ups are the point here
            super().handle_error(request, client_address)


class HostileServer:
    """Loopback HTTP/1.1 server; each path is one misbehaviour. `stop` releases any handler still waiting."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.bytes_sent: dict[str, int] = {}
        self.bomb = _gzip_bomb(BIG)
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _head(self, status: int = 200, **headers: str) -> None:
                self.send_response(status)
                for key, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(key.replace("_", "-"), value)
                self.end_headers()

            def _stream(self, total: int) -> None:
                sent = 0
                try:
                    while sent < total and not server.stopping.is_set():
                        self.wfile.write(CHUNK)
                        sent += len(CHUNK)
                except OSError:
                    pass                                    # the client hung up at its cap: expected
                server.bytes_sent[self.path] = sent
                self.close_connection = True

            def _reset(self) -> None:
                """Close with RST (SO_LINGER 0) instead of FIN."""
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path == "/ok" and self.headers.get("If-None-Match") == '"v1"':
                    self._head(304, ETag='"v1"', Content_Length="0")
                elif path == "/ok":
                    body = gzip.compress("<h1>Terms</h1><p>Clause é</p>".encode())
                    self._head(Content_Encoding="gzip", Content_Length=str(len(body)), ETag='"v1"')
                    self.wfile.write(body)
                elif path == "/big-chunked":                # 50 MB, no Content-Length, generated lazily
                    self._head(Connection="close")
                    self._stream(BIG)
                elif path == "/big-declared":               # 50 MB announced up front
                    self._head(Content_Length=str(BIG))
                    self._stream(BIG)
                elif path == "/bomb":
                    self._head(Content_Encoding="gzip", Content_Length=str(len(server.bomb)))
                    try:
                        self.wfile.write(server.bomb)
                    except OSError:
                        pass
                elif path == "/loop":
                    self._head(302, Location="/loop?again", Content_Length="0")
                elif path == "/bad-charset":
                    body = b"<p>caf\xe9 \xff\xfe ok</p>"
                    self._head(Content_Length=str(len(body)))
                    self.wfile.write(body)
                elif path == "/stall":                      # headers never come
                    server.stopping.wait(5)
                elif path == "/drip":                       # a byte every 0.1 s: no read ever times out
                    self._head(Connection="close")
                    try:
                        for _ in range(50):
                            if server.stopping.wait(0.1):
                                break
                            self.wfile.write(b"x")
                            self.wfile.flush()
                    except OSError:
                        pass
                    self.close_connection = True
                elif path == "/reset-before":
                    self._reset()
                elif path == "/reset-during":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<p>partial")
                    self.wfile.flush()
                    self._reset()
                elif path == "/503":
                    self._head(503, Content_Length="4", Retry_After="60")
                    self.wfile.write(b"busy")
                else:
                    self._head(404, Content_Length="0")

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def start(self) -> HostileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    hostile = HostileServer().start()
    try:
        yield hostile
    finally:
        hostile.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as c:
        yield c


def test_ok_then_304(server: HostileServer, client: httpx.Client) -> None:
    result = fetch_document(server.url("/ok"), client=client)
    assert result.status_code == 200 and result.etag == '"v1"'
    assert result.text == "<h1>Terms</h1><p>Clause é</p>" and result.encoding == "utf-8"
    again = fetch_document(server.url("/ok"), client=client, etag=result.etag)
    assert again.not_modified and again.body == b"" and again.etag == '"v1"'


def test_50mb_body_stops_at_a_small_cap(server: HostileServer, client: httpx.Client) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTooLarge, match="exceeds the 1048576-byte cap"):
        fetch_document(server.url("/big-chunked?small"), client=client, max_bytes=1 << 20)
    assert time.monotonic() - started < 5


def test_50mb_body_stops_at_the_default_cap(server: HostileServer, client: httpx.Client) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTooLarge, match=f"exceeds the {MAX_BODY_BYTES}-byte cap"):
        fetch_document(server.url("/big-chunked?default"), client=client)
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while "/big-chunked?default" not in server.bytes_sent and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.bytes_sent.get("/big-chunked?default", 0) < BIG      # the server was cut off, not drained


def test_declared_50mb_is_refused_from_the_header(server: HostileServer, client: httpx.Client) -> None:
    with pytest.raises(FetchTooLarge, match=f"Content-Length {BIG} exceeds"):
        fetch_document(server.url("/big-declared"), client=client)


def test_gzip_bomb_stops_at_the_cap_in_bounded_memory(server: HostileServer, client: httpx.Client) -> None:
    cap = 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(FetchTooLarge, match=f"exceeds the {cap}-byte cap"):
            fetch_document(server.url("/bomb"), client=client, max_bytes=cap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * cap            # inflating a 64 KiB chunk of the bomb whole would take ~64 MiB


def test_redirect_loop_is_a_network_error(server: HostileServer, client: httpx.Client) -> None:
    with pytest.raises(FetchNetworkError, match="redirect loop") as info:
        fetch_document(server.url("/loop"), client=client)
    assert isinstance(info.value.__cause__, httpx.TooManyRedirects) and not info.value.transient


def test_invalid_bytes_in_the_declared_charset_are_replaced(server: HostileServer, client: httpx.Client) -> None:
    result = fetch_document(server.url("/bad-charset"), client=client)
    assert result.encoding == "utf-8" and result.text == "<p>caf\ufffd \ufffd\ufffd ok</p>"


def test_stalled_server_times_out(server: HostileServer, client: httpx.Client) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as info:
        fetch_document(server.url("/stall"), client=client, timeout=0.5)
    assert info.value.transient and isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert time.monotonic() - started < 3


def test_slow_drip_hits_the_total_deadline(server: HostileServer, client: httpx.Client) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"within 0\.5s"):
        fetch_document(server.url("/drip"), client=client, timeout=0.5)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("path", ["/reset-before", "/reset-during"])
def test_connection_reset_is_a_transient_network_error(server: HostileServer, client: httpx.Client,
                                                       path: str) -> None:
    with pytest.raises(FetchNetworkError) as info:
        fetch_document(server.url(path), client=client, timeout=5)
    assert info.value.transient
    assert isinstance(info.value.__cause__, (httpx.ReadError, httpx.RemoteProtocolError))


def test_connection_refused_is_a_transient_network_error(client: httpx.Client) -> None:
    with socket.socket() as sock:               # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchNetworkError, match="connection failed") as info:
        fetch_document(f"http://127.0.0.1:{port}/", client=client, timeout=2)
    assert info.value.transient and isinstance(info.value.__cause__, httpx.ConnectError)


def test_503_is_a_transient_status_error(server: HostileServer, client: httpx.Client) -> None:
    with pytest.raises(FetchHTTPStatus, match=r"HTTP 503 Service Unavailable$") as info:
        fetch_document(server.url("/503"), client=client)
    assert info.value.status_code == 503 and info.value.transient


def test_client_stays_usable_after_failures(server: HostileServer, client: httpx.Client) -> None:
    for path in ("/reset-during", "/loop", "/503"):
        with pytest.raises((FetchNetworkError, FetchHTTPStatus)):
            fetch_document(server.url(path), client=client, timeout=5)
    assert fetch_document(server.url("/ok"), client=client).status_code == 200
