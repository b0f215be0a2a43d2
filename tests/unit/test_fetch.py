"""fetch_document against httpx.MockTransport: headers, 304, charsets, size cap, status and exception mapping."""

from __future__ import annotations

import gzip
import time
import zlib
from collections.abc import Callable, Iterator

import httpx
import pytest

from monitor.errors import FetchError, FetchHTTPStatus, FetchNetworkError, FetchTimeout, FetchTooLarge
from monitor.fetch import MAX_BODY_BYTES, MAX_REDIRECTS, decode_body, fetch_document, make_client
from monitor.fetch import http as fetch

URL = "https://example.com/terms"
Handler = Callable[[httpx.Request], httpx.Response]


def client_for(handler: Handler, **kwargs: object) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True, **kwargs)  # type: ignore[arg-type]


def answer(body: bytes = b"<p>Hi</p>", status: int = 200, content_type: str = "text/html; charset=utf-8",
           **headers: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Content-Type": content_type, **headers})
    return handler


def streamed(chunks: Iterator[bytes] | list[bytes], **headers: str) -> Handler:
    """A response whose body is streamed (not pre-read by httpx), like a real network response."""
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter(chunks), headers={"Content-Type": "text/html", **headers})
    return handler


def get(handler: Handler, **kwargs: object) -> fetch.FetchResult:
    with client_for(handler) as client:
        return fetch_document(URL, client=client, **kwargs)  # type: ignore[arg-type]


# --- requests -----------------------------------------------------------------------------------------

def test_conditional_headers_and_user_agent_are_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304, headers={"ETag": '"v2"'})

    result = get(handler, etag='"v1"', last_modified="Mon, 01 Sep 2025 10:00:00 GMT", user_agent="tosmon-test/9")
    request = seen[0]
    assert request.headers["If-None-Match"] == '"v1"'
    assert request.headers["If-Modified-Since"] == "Mon, 01 Sep 2025 10:00:00 GMT"
    assert request.headers["User-Agent"] == "tosmon-test/9"
    assert request.headers["Accept-Encoding"] == "gzip, deflate"
    assert result.not_modified and result.status_code == 304 and result.body == b"" and result.text == ""
    assert result.etag == '"v2"' and result.last_modified == "Mon, 01 Sep 2025 10:00:00 GMT"


def test_no_conditional_headers_without_validators() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok", headers={"ETag": '"e"', "Last-Modified": "yesterday"})

    result = get(handler)
    assert "If-None-Match" not in seen[0].headers and "If-Modified-Since" not in seen[0].headers
    assert (result.etag, result.last_modified) == ('"e"', "yesterday")


def test_result_fields() -> None:
    result = get(answer(b"<p>Hello</p>", content_type="Text/HTML; Charset=UTF-8"))
    assert result.url == URL and result.final_url == URL and result.status_code == 200
    assert result.content_type == "text/html" and result.encoding == "utf-8"
    assert result.body == b"<p>Hello</p>" and result.text == "<p>Hello</p>" and result.elapsed >= 0


def test_redirects_are_followed_and_final_url_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/terms":
            return httpx.Response(301, headers={"Location": "/legal/terms"}, content=iter([b"never read"]))
        return httpx.Response(200, content=b"<p>Terms</p>", headers={"Content-Type": "text/html"})

    result = get(handler)
    assert result.url == URL and result.final_url == "https://example.com/legal/terms"
    assert result.text == "<p>Terms</p>"


def test_redirect_loop_is_a_network_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("n", "0"))
        return httpx.Response(302, headers={"Location": f"/terms?n={n + 1}"})

    with pytest.raises(FetchNetworkError, match="redirect loop") as info:
        get(handler)
    assert isinstance(info.value.__cause__, httpx.TooManyRedirects)
    assert info.value.transient is False


def test_make_client() -> None:
    with make_client(user_agent="ua/1") as client:
        assert client.follow_redirects is True and client.max_redirects == MAX_REDIRECTS
        assert client.headers["User-Agent"] == "ua/1"
    assert MAX_BODY_BYTES == 10 * 1024 * 1024


# --- charsets -----------------------------------------------------------------------------------------

CHARSET_CASES = [
    # (id, body, Content-Type, expected text, expected encoding)
    ("header", "café".encode("iso-8859-15"), "text/html; charset=ISO-8859-15", "café", "iso8859-15"),
    ("header quoted", "жизнь".encode("koi8-r"), 'text/html; charset="koi8-r"', "жизнь", "koi8-r"),
    ("meta charset", b'<meta charset="windows-1251">' + "мир".encode("cp1251"), "text/html",
     '<meta charset="windows-1251">мир', "cp1251"),
    ("meta http-equiv", b'<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">'
     + "規約".encode("shift_jis"), "text/html", None, "shift_jis"),
    ("header beats meta", b'<meta charset="koi8-r">caf\xc3\xa9', "text/html; charset=utf-8", None, "utf-8"),
    ("bom beats header", b"\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=iso-8859-1", "café", "utf-8-sig"),
    ("detect utf-8", "naïve — ok".encode(), "text/html", "naïve — ok", "utf-8"),
    ("detect fallback cp1252", b"\x93quoted\x94 caf\xe9", "text/html", "“quoted” café", "cp1252"),
    ("latin-1 label means windows-1252", b"\x93x\x94", "text/html; charset=iso-8859-1", "“x”", "cp1252"),
    ("unknown charset falls back", "é".encode(), "text/html; charset=x-bogus-9", "é", "utf-8"),
    ("non-text codec falls back", "é".encode(), "text/html; charset=zlib", "é", "utf-8"),
    ("meta utf-16 means utf-8", b'<meta charset="utf-16">\xc3\xa9', "text/html", None, "utf-8"),
    ("invalid bytes replaced", b"ok \xff\xfe end", "text/html; charset=utf-8", "ok \ufffd\ufffd end", "utf-8"),
]


@pytest.mark.parametrize(("body", "content_type", "text", "encoding"), [c[1:] for c in CHARSET_CASES],
                         ids=[c[0] for c in CHARSET_CASES])
def test_charset(body: bytes, content_type: str, text: str | None, encoding: str) -> None:
    result = get(answer(body, content_type=content_type))
    assert result.encoding == encoding
    assert result.text == (text if text is not None else body.decode(encoding, errors="replace"))


def test_meta_beyond_4kb_is_not_used() -> None:
    body = b"<p>" + b"x" * 5000 + b'</p><meta charset="koi8-r">\xc1'
    assert decode_body(body)[1] == "cp1252"


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/octet-stream"])
def test_binary_bodies_keep_bytes_and_no_text(content_type: str) -> None:
    body = b"%PDF-1.7\n\x00\x01binary"
    result = get(answer(body, content_type=content_type))
    assert result.body == body and result.text == "" and result.encoding is None


def test_untyped_text_is_decoded() -> None:
    result = get(answer(b"<p>plain</p>", content_type="application/octet-stream"))
    assert result.text == "<p>plain</p>"


# --- size cap -----------------------------------------------------------------------------------------

def test_declared_content_length_over_cap_is_refused_before_reading() -> None:
    def never() -> Iterator[bytes]:
        raise AssertionError("body read despite Content-Length over the cap")
        yield b""  # pragma: no cover

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=never(), headers={"Content-Length": "2000", "Content-Type": "text/html"})

    with pytest.raises(FetchTooLarge, match="Content-Length 2000 exceeds the 1000-byte cap") as info:
        get(handler, max_bytes=1000)
    assert info.value.transient is False


def test_streamed_body_over_cap_stops_early() -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 1024

    with pytest.raises(FetchTooLarge, match="body exceeds the 4096-byte cap"):
        get(streamed(chunks()), max_bytes=4096)
    assert len(sent) <= 5


def test_body_exactly_at_cap_is_accepted() -> None:
    assert len(get(streamed([b"x" * 4096]), max_bytes=4096).body) == 4096


def test_gzip_bomb_stops_at_cap_with_bounded_memory() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(compressor.compress(b"\0" * (1 << 20)) for _ in range(64)) + compressor.flush()
    chunks = [bomb[i:i + 65536] for i in range(0, len(bomb), 65536)]
    with pytest.raises(FetchTooLarge):
        get(streamed(chunks, **{"Content-Encoding": "gzip"}), max_bytes=100_000)


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "deflate-raw"])
def test_compressed_bodies_are_inflated(coding: str) -> None:
    text = "<p>Clause é</p>" * 100
    if coding == "deflate-raw":                 # what some servers send for "deflate"
        obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data, coding = obj.compress(text.encode()) + obj.flush(), "deflate"
    elif coding == "deflate":
        data = zlib.compress(text.encode())
    else:
        data = gzip.compress(text.encode())
    result = get(streamed([data[:10], data[10:]], **{"Content-Encoding": coding}))
    assert result.text == text


def test_stacked_encodings_are_refused() -> None:
    data = gzip.compress(gzip.compress(b"x"))
    with pytest.raises(FetchNetworkError, match="stacked content encodings") as info:
        get(streamed([data], **{"Content-Encoding": "gzip, gzip"}))
    assert info.value.transient is False


def test_corrupt_gzip_is_a_network_error() -> None:
    with pytest.raises(FetchNetworkError, match="undecodable") as info:
        get(streamed([b"\x1f\x8bnot really gzip"], **{"Content-Encoding": "gzip"}))
    assert isinstance(info.value.__cause__, httpx.DecodingError)


def test_slow_drip_body_hits_the_total_deadline() -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(50):
            time.sleep(0.01)
            yield b"x"

    with pytest.raises(FetchTimeout, match=r"within 0\.05s") as info:
        get(streamed(drip()), timeout=0.05)
    assert info.value.transient is True


# --- statuses -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "message", "transient"), [
    (500, "HTTP 500 Internal Server Error", True),
    (502, "HTTP 502 Bad Gateway", True),
    (503, "HTTP 503 Service Unavailable", True),
    (504, "HTTP 504 Gateway Timeout", True),
    (408, "HTTP 408 Request Timeout", True),
    (429, "HTTP 429 Too Many Requests", True),
    (400, "HTTP 400 Bad Request", False),
    (403, "HTTP 403 Forbidden", False),
    (404, "HTTP 404 Not Found", False),
    (410, "HTTP 410 Gone", False),
    (300, "HTTP 300 Multiple Choices", False),   # a redirect status without Location
])
def test_non_2xx_is_an_http_status_error(status: int, message: str, transient: bool) -> None:
    with pytest.raises(FetchHTTPStatus) as info:
        get(answer(b"error page", status=status))
    assert str(info.value) == f"{URL}: {message}"
    assert info.value.status_code == status and info.value.transient is transient and info.value.url == URL


def test_2xx_other_than_200_is_success() -> None:
    assert get(answer(b"<p>x</p>", status=203)).status_code == 203


# --- the exception boundary ----------------------------------------------------------------------------

def _all_subclasses(cls: type[Exception]) -> list[type[Exception]]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_all_subclasses(sub)]
    return out


HTTPX_EXCEPTIONS = sorted({c for c in _all_subclasses(httpx.HTTPError) if c.__module__.startswith("httpx")}
                          | {httpx.InvalidURL}, key=lambda c: c.__name__)
EXPECTED_TYPE = {httpx.ConnectTimeout: FetchTimeout, httpx.ReadTimeout: FetchTimeout,
                 httpx.WriteTimeout: FetchTimeout, httpx.PoolTimeout: FetchTimeout,
                 httpx.TimeoutException: FetchTimeout, httpx.HTTPStatusError: FetchHTTPStatus}
NOT_TRANSIENT = {httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError, httpx.TooManyRedirects,
                 httpx.DecodingError}


def _make(exc_class: type[Exception], request: httpx.Request) -> Exception:
    if exc_class is httpx.HTTPStatusError:
        return exc_class("boom", request=request, response=httpx.Response(502, request=request))
    if exc_class is httpx.InvalidURL:
        return exc_class("boom")
    return exc_class("boom", request=request)  # type: ignore[call-arg]


def test_every_httpx_exception_class_is_enumerated() -> None:
    names = {c.__name__ for c in HTTPX_EXCEPTIONS}
    assert {"ConnectError", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "ReadError",
            "WriteError", "CloseError", "RemoteProtocolError", "LocalProtocolError", "ProxyError",
            "UnsupportedProtocol", "DecodingError", "TooManyRedirects", "InvalidURL"} <= names


@pytest.mark.parametrize("exc_class", HTTPX_EXCEPTIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("where", ["send", "body"])
def test_every_httpx_exception_becomes_a_fetch_error(exc_class: type[Exception], where: str) -> None:
    """The boundary meta-test (httpx's test_httpcore_all_exceptions_mapped): whatever httpx raises, while
    sending or while the body streams, a FetchError comes out, chained to the original."""
    def handler(request: httpx.Request) -> httpx.Response:
        if where == "send":
            raise _make(exc_class, request)

        def body() -> Iterator[bytes]:
            yield b"<p>partial"
            raise _make(exc_class, request)

        return httpx.Response(200, content=body(), headers={"Content-Type": "text/html"})

    with pytest.raises(FetchError) as info:
        get(handler)
    error = info.value
    assert isinstance(error, EXPECTED_TYPE.get(exc_class, FetchNetworkError))
    assert type(error.__cause__) is exc_class
    assert error.url == URL and str(error).startswith(URL + ": ")
    if exc_class is not httpx.HTTPStatusError:
        assert error.transient is (exc_class not in NOT_TRANSIENT)


def test_every_concrete_httpx_exception_has_its_own_mapping_row() -> None:
    """A new httpx exception must be classified on purpose, not by the catch-all row."""
    specific = [row[0] for row in fetch._MAPPING[:-1]]
    for exc_class in HTTPX_EXCEPTIONS:
        if exc_class.__subclasses__() or exc_class is httpx.HTTPStatusError:
            continue                                     # abstract bases; HTTPStatusError has its own branch
        assert any(issubclass(exc_class, row) for row in specific), f"{exc_class.__name__} unmapped"
    assert fetch._MAPPING[-1][0] is httpx.HTTPError


@pytest.mark.parametrize("url", ["ftp://example.com/terms", "example.com/terms", "http://[::1"])
def test_bad_urls_are_network_errors_not_transient(url: str) -> None:
    """No traffic: httpx rejects these before connecting."""
    with make_client() as client, pytest.raises(FetchNetworkError) as info:
        fetch_document(url, client=client)
    assert info.value.transient is False
    assert isinstance(info.value.__cause__, (httpx.UnsupportedProtocol, httpx.InvalidURL))


@pytest.mark.skipif(not hasattr(__import__("socket"), "TCP_QUICKACK"), reason="TCP_QUICKACK is Linux-only")
def test_streams_ask_for_prompt_acks_before_every_read() -> None:
    """A server that writes headers and body separately without TCP_NODELAY waits for our ACK of the first
    before Nagle lets the last segment go; a delayed ACK holds it 40 ms. Every read re-arms TCP_QUICKACK."""
    import socket

    import httpcore

    from monitor.fetch.deadline import _DeadlineStream

    calls: list[tuple[int, int, int]] = []

    class Recording(socket.socket):
        def setsockopt(self, level: int, option: int, value: int) -> None:  # type: ignore[override]
            calls.append((level, option, value))
            super().setsockopt(level, option, value)

    with socket.create_server(("127.0.0.1", 0)) as server:
        client = Recording(socket.AF_INET, socket.SOCK_STREAM)
        client.connect(server.getsockname())
        peer, _ = server.accept()
        stream = _DeadlineStream(httpcore._backends.sync.SyncStream(client))
        try:
            for chunk in (b"HTTP/1.1 200 OK\r\n", b"body"):
                peer.sendall(chunk)
                assert stream.read(1024, timeout=5) == chunk
        finally:
            stream.close()
            peer.close()
    assert calls.count((socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)) == 2
