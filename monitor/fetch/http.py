"""Fetch one URL with httpx: bounded time, redirects and size; conditional requests; charset resolution.

The only module that touches httpx exceptions: `_mapped_errors()` turns every one of them into a
`FetchError` (most specific match first, `raise ... from exc`), as httpx's `map_httpcore_exceptions` does.

    with make_client() as client:
        result = fetch_document("https://example.com/terms", client=client, etag='"abc"')
        if result.not_modified: ...

Bodies are streamed and counted after decoding, so an oversize page or a gzip bomb stops at `max_bytes`
(`FetchTooLarge`, never a truncated body). gzip/deflate/zstd are decoded here with a bounded output, so even one
64 KB network chunk of a bomb cannot expand past the cap in memory; stacked or unknown encodings (br included:
tosmon never asks for it) are errors, never text.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, cast

from monitor.errors import (
    Cancelled,
    ConfigError,
    FetchError,
    FetchHTTPStatus,
    FetchNetworkError,
    FetchTimeout,
    FetchTooLarge,
)
from monitor.fetch.deadline import DeadlineBackend, cancelled, deadline
from monitor.fetch.trust import refused_redirect
from monitor.imports import without
from monitor.models import FetchResult

with without("pygments"):  # httpx imports its command-line client (rich, pygments: 8 MB) if it can
    import httpx
import zstandard

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/pdf;q=0.8,*/*;q=0.5"
ACCEPT_ENCODING = "gzip, deflate"     # only codings inflated here with a bounded output
META_SCAN_BYTES = 4096

_META_CHARSET_RE = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# WHATWG: these labels mean windows-1252 in a browser, and so they do here.
_AS_CP1252 = frozenset({"ascii", "latin_1", "iso8859-1", "iso8859_1", "cp819", "us-ascii"})
_TEXT_TYPES = frozenset({"application/xhtml+xml", "application/xml", "application/json"})
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream"})

# (httpx exception, FetchError class, transient override or None for the class default, description).
# Most specific first; the last row catches whatever httpx adds later.
_MAPPING: tuple[tuple[type[Exception], type[FetchError], bool | None, str], ...] = (
    (httpx.TimeoutException, FetchTimeout, None, "timed out"),
    (httpx.UnsupportedProtocol, FetchNetworkError, False, "unsupported URL scheme"),
    (httpx.InvalidURL, FetchNetworkError, False, "invalid URL"),
    (httpx.LocalProtocolError, FetchNetworkError, False, "invalid request"),
    (httpx.TooManyRedirects, FetchNetworkError, False, "redirect loop"),
    (httpx.DecodingError, FetchNetworkError, False, "undecodable response body"),
    (httpx.ProxyError, FetchNetworkError, None, "proxy error"),
    (httpx.ConnectError, FetchNetworkError, None, "connection failed"),
    (httpx.NetworkError, FetchNetworkError, None, "network error"),
    (httpx.RemoteProtocolError, FetchNetworkError, None, "protocol error"),
    (httpx.HTTPError, FetchNetworkError, None, "HTTP error"),
)


def make_client(*, user_agent: str = "tosmon/1.0") -> httpx.Client:
    """An HTTP/1.1 client with a connection pool, redirects bounded by `MAX_REDIRECTS`, whose connections
    keep the deadline of the exchange in progress (`monitor.fetch.deadline`)."""
    import httpcore

    limits = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30.0)
    transport = httpx.HTTPTransport(verify=_ssl_context(), http1=True, http2=False, limits=limits)
    transport._pool = httpcore.ConnectionPool(   # the pool httpx builds, on the deadline-keeping backend
        ssl_context=_ssl_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        http1=True, http2=False, network_backend=DeadlineBackend())
    return httpx.Client(
        transport=transport, follow_redirects=True, max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
    )


def tls_ready() -> None:
    """Raise a ConfigError (one line naming the file) when the CA certificates cannot be loaded: a check
    thread meeting it would only die with a traceback."""
    _ssl_context()


_ssl_lock = threading.Lock()
_ssl: list[ssl.SSLContext] = []


def _ssl_context() -> ssl.SSLContext:
    """One TLS context (the CA bundle loaded once) shared by every client: the daemon has one per thread;
    the lock makes the threads that ask together load it once."""
    with _ssl_lock:
        if not _ssl:
            try:
                _ssl.append(httpx.create_ssl_context())
            except (OSError, ssl.SSLError) as exc:   # SSL_CERT_FILE / SSL_CERT_DIR naming a missing or bad file
                where = os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR") or "the CA bundle"
                raise ConfigError(f"cannot load the CA certificates from {where}: {exc.strerror or exc}",
                                  key="TLS") from exc
        return _ssl[0]


def fetch_document(url: str, *, client: httpx.Client, timeout: float = 30.0, user_agent: str = "tosmon/1.0",
                   etag: str | None = None, last_modified: str | None = None,
                   max_bytes: int = MAX_BODY_BYTES, allow_private: bool = False) -> FetchResult:
    """GET `url` and return its decoded body, or raise a `FetchError`.

    `timeout` is a deadline for the whole exchange: connection, headers, redirects and body. A 304 answer
    to the conditional request (`etag` / `last_modified`) returns `FetchResult(status_code=304, body=b"")`. A
    redirect to another host with an internal address is refused unless `allow_private` (`monitor.fetch.trust`).
    """
    started = time.monotonic()
    headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with _mapped_errors(url, timeout=timeout), deadline(timeout):
        request = client.build_request("GET", url, headers=headers, timeout=timeout)
        redirects = 0
        while True:
            response = client.send(request, stream=True, follow_redirects=False)
            if response.next_request is None or not client.follow_redirects:
                break
            response.close()                 # a redirect's body is never read
            redirects += 1
            if redirects > client.max_redirects:
                raise httpx.TooManyRedirects(f"more than {client.max_redirects} redirects", request=request)
            _check_deadline(url, started, timeout)
            request = response.next_request
            refusal = refused_redirect(url, str(request.url), allow_private=allow_private)
            if refusal:
                raise FetchNetworkError(refusal, url=url, transient=False)
        try:
            return _read(url, response, started=started, timeout=timeout, max_bytes=max_bytes,
                         etag=etag, last_modified=last_modified)
        finally:
            response.close()


@contextmanager
def _mapped_errors(url: str, *, timeout: float | None = None) -> Iterator[None]:
    """Turn any httpx exception into the matching FetchError (`timeout`: the deadline, for its message)."""
    try:
        yield
    except httpx.HTTPStatusError as exc:
        response = exc.response
        raise FetchHTTPStatus(f"HTTP {response.status_code} {response.reason_phrase}".rstrip(), url=url,
                              status_code=response.status_code) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        if cancelled():                   # a socket shut down by cancel_all(): the stop, not the server
            raise Cancelled("cancelled") from exc
        if timeout is not None and isinstance(exc, httpx.TimeoutException):
            raise FetchTimeout(f"timed out: no complete answer within {timeout:g}s", url=url) from exc
        raise _fetch_error(exc, url) from exc


def _fetch_error(exc: Exception, url: str) -> FetchError:
    for source, target, transient, description in _MAPPING:
        if isinstance(exc, source):
            detail = str(exc) or type(exc).__name__
            return target(f"{description}: {detail}", url=url, transient=transient)
    raise AssertionError(f"unmapped exception {exc!r}")  # unreachable: the last row is httpx.HTTPError


def _check_deadline(url: str, started: float, timeout: float) -> None:
    if time.monotonic() - started > timeout:
        raise FetchTimeout(f"timed out: no complete answer within {timeout:g}s", url=url)


def _read(url: str, response: httpx.Response, *, started: float, timeout: float, max_bytes: int,
          etag: str | None, last_modified: str | None) -> FetchResult:
    """Check the status, stream the body under the cap, decode it."""
    final_url = str(response.url)
    new_etag = response.headers.get("ETag") or None
    new_modified = response.headers.get("Last-Modified") or None
    if response.status_code == 304:
        return FetchResult(url=url, final_url=final_url, status_code=304, etag=new_etag or etag,
                           last_modified=new_modified or last_modified, elapsed=time.monotonic() - started)
    if not 200 <= response.status_code < 300:
        raise FetchHTTPStatus(f"HTTP {response.status_code} {response.reason_phrase}".rstrip(), url=url,
                              status_code=response.status_code)
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchTooLarge(f"Content-Length {int(length)} exceeds the {max_bytes}-byte cap", url=url)
    body = _read_body(url, response, started=started, timeout=timeout, max_bytes=max_bytes)
    media_type, charset = _parse_content_type(response.headers.get("Content-Type", ""))
    text, encoding = "", None
    if _is_text(media_type, body):
        text, encoding = decode_body(body, charset)
    return FetchResult(url=url, final_url=final_url, status_code=response.status_code, body=body,
                       content_type=media_type, encoding=encoding, text=text, etag=new_etag,
                       last_modified=new_modified, elapsed=time.monotonic() - started)


def _read_body(url: str, response: httpx.Response, *, started: float, timeout: float, max_bytes: int) -> bytes:
    """The decoded body; FetchTooLarge as soon as more than `max_bytes` decoded bytes arrive."""
    codings = [c.strip().lower() for c in response.headers.get("Content-Encoding", "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > 1:
        raise httpx.DecodingError(f"stacked content encodings {', '.join(codings)} are not supported",
                                  request=response.request)
    if codings and codings[0] not in DECODED:   # never handed on undecoded: it would be stored as text
        raise httpx.DecodingError(f"content encoding {codings[0]!r} is not supported (tosmon decodes "
                                  f"{', '.join(sorted(DECODED))})", request=response.request)
    inflater = _Inflater(codings[0]) if codings and codings[0] in _Inflater.CODINGS else None
    # decoded here, never by httpx (whose output is unbounded), except an in-memory response (MockTransport)
    chunks: Iterator[bytes] = response.iter_raw()
    if response.is_stream_consumed:
        inflater, codings, chunks = None, [], response.iter_bytes()
    if codings and codings[0] == "zstd":
        chunks = _unzstd(chunks)
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        if inflater is not None:
            chunk = inflater.inflate(chunk, max_bytes - size + 1)
        size += len(chunk)
        if size > max_bytes:
            raise FetchTooLarge(f"body exceeds the {max_bytes}-byte cap", url=url)
        parts.append(chunk)
        _check_deadline(url, started, timeout)
    if inflater is not None:
        tail = inflater.flush()
        if size + len(tail) > max_bytes:
            raise FetchTooLarge(f"body exceeds the {max_bytes}-byte cap", url=url)
        parts.append(tail)
    return b"".join(parts)


#: zstd's window is what a stream may make the decoder hold; RFC 9659 caps it at 8 MB for HTTP.
ZSTD_MAX_WINDOW = 8 * 1024 * 1024
ZSTD_CHUNK = 64 * 1024


class _Source:
    """The raw chunks of a body as a file for zstd's stream reader, which pulls only what it needs."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._pending = chunk
        size = len(self._pending) if size < 0 else size
        out, self._pending = self._pending[:size], self._pending[size:]
        return out


def _unzstd(raw: Iterator[bytes]) -> Iterator[bytes]:
    """Decode a zstd body at most ZSTD_CHUNK bytes at a time (the caller counts them against the cap), with
    a bounded window: a 131 KB bomb costs one chunk of memory, not gigabytes."""
    source = cast(IO[bytes], _Source(raw))             # only read() is called
    reader = zstandard.ZstdDecompressor(max_window_size=ZSTD_MAX_WINDOW).stream_reader(
        source, read_size=ZSTD_CHUNK, read_across_frames=True)
    while True:
        try:
            chunk = reader.read(ZSTD_CHUNK)
        except zstandard.ZstdError as exc:
            raise httpx.DecodingError(f"zstd: {exc}") from exc
        if not chunk:
            return
        yield chunk


class _Inflater:
    """gzip / deflate decoding whose output per call is bounded (zlib's `max_length`)."""

    CODINGS = frozenset({"gzip", "x-gzip", "deflate"})

    def __init__(self, coding: str) -> None:
        self._raw_fallback = coding == "deflate"     # "deflate" is zlib-wrapped, or raw from broken servers
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS)

    def inflate(self, data: bytes, limit: int) -> bytes:
        """Up to `limit` bytes of output for `data` (a full `limit` means the cap is crossed)."""
        try:
            out = self._z.decompress(data, limit)
        except zlib.error as exc:
            if not self._raw_fallback:
                raise httpx.DecodingError(str(exc)) from exc
            self._raw_fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self.inflate(data, limit)
        self._raw_fallback = False
        return out

    def flush(self) -> bytes:
        try:
            return self._z.flush()
        except zlib.error as exc:  # pragma: no cover - zlib reports corruption in decompress()
            raise httpx.DecodingError(str(exc)) from exc


#: Content codings decoded here, each with a bounded output; any other is an error (never text). `br` is
#: not among them: tosmon does not ask for it, and brotli's Python bindings are not a dependency.
DECODED = frozenset({*_Inflater.CODINGS, "zstd"})


def _parse_content_type(value: str) -> tuple[str, str | None]:
    """`text/html; charset="UTF-8"` -> ("text/html", "UTF-8")."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip() or None
    return media_type.strip().lower(), charset


def _is_text(media_type: str, body: bytes) -> bool:
    if body.startswith(b"%PDF-"):
        return False
    if media_type in _UNTYPED:
        return b"\x00" not in body[:1024]
    return media_type.startswith("text/") or media_type in _TEXT_TYPES or media_type.endswith("+xml")


def decode_body(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode an HTML/text body: byte-order mark, then the declared charset (the Content-Type header), then a
    `<meta>` charset in the first 4 KB, then detection. Returns (text, encoding). Never raises: bytes invalid
    in the chosen charset become U+FFFD."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    encoding = _codec(declared)
    if encoding is None:
        match = _META_CHARSET_RE.search(body[:META_SCAN_BYTES])
        encoding = _codec(match.group(1).decode("ascii"), from_meta=True) if match else None
    if encoding is None:
        return _detect(body)
    return body.decode(encoding, errors="replace"), encoding


def _codec(label: str | None, *, from_meta: bool = False) -> str | None:
    """Python's name for a charset label, or None when it is unknown or not a text encoding."""
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13...: what bytes.decode refuses
        return None
    name = info.name
    if name in _AS_CP1252 or label.lower() in _AS_CP1252:
        return "cp1252"
    if from_meta and name.startswith(("utf-16", "utf-32")):
        return "utf-8"                              # a meta tag readable as ASCII cannot be UTF-16 (WHATWG)
    return name


def _detect(body: bytes) -> tuple[str, str]:
    """No usable declaration: UTF-8 if the bytes are valid UTF-8, else windows-1252."""
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Browsers' default for undeclared non-UTF-8 pages in Western locales. Statistical detectors (such as
    # charset-normalizer) guess exotic code pages on short Latin text, so none is used: results stay the
    # same whichever packages happen to be installed.
    return body.decode("cp1252", errors="replace"), "cp1252"
