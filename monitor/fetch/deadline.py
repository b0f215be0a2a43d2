"""Deadlines for whole HTTP exchanges, cancellation of the exchanges in flight, and prompt ACKs.

httpx's timeouts bound each network operation: a server that sends one header byte per second never trips a
10 s read timeout. Clients made by `make_client` connect through `DeadlineBackend`, whose streams give every
read, write and connect at most the time left before the deadline of the exchange the calling thread is in:

    with deadline(10.0):            # headers, redirects and body included
        client.get(url)

`cancel_all()` (SIGTERM, Ctrl-C) makes every exchange in flight, and any started later, raise `Cancelled`
at once: blocked reads are woken by shutting their sockets down.

The streams also acknowledge what they receive at once (TCP_QUICKACK, Linux): a server that writes a response's
headers and body in two writes without TCP_NODELAY (Python's http.server, many application servers) has its
last partial segment held by Nagle's algorithm until our ACK arrives, and a delayed ACK holds that for 40 ms.
Measured on the benchmark's loopback server: 59 of 1,000 pages stalled 44 ms each (2.8 s of waiting over
1,000 requests), none with the option (0.2 s). Linux clears the option after use, so each read sets it again.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
from httpcore import NetworkBackend, NetworkStream

from monitor.errors import Cancelled

_local = threading.local()
_cancelled = threading.Event()
_live: set[_DeadlineStream] = set()
_live_lock = threading.Lock()
_QUICKACK: int = getattr(socket, "TCP_QUICKACK", 0)   # Linux only (0: elsewhere ACKs stay as they are)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every network operation of this thread inside the block ends by `seconds` from now (an enclosing,
    earlier deadline still holds)."""
    previous: float | None = getattr(_local, "deadline", None)
    until = time.monotonic() + seconds
    _local.deadline = until if previous is None else min(previous, until)
    try:
        yield
    finally:
        _local.deadline = previous


def time_left() -> float | None:
    """Seconds left before this thread's deadline (None: no deadline); raises Cancelled after cancel_all()."""
    if _cancelled.is_set():
        raise Cancelled("cancelled")
    until: float | None = getattr(_local, "deadline", None)
    return None if until is None else until - time.monotonic()


def cancelled() -> bool:
    """Whether `cancel_all()` was called (and not `reset()`)."""
    return _cancelled.is_set()


def cancel_all() -> None:
    """Stop every exchange in flight now and refuse new ones (process shutdown)."""
    _cancelled.set()
    with _live_lock:
        streams = list(_live)
    for stream in streams:
        stream.abort()


def reset() -> None:
    """Allow exchanges again after `cancel_all()` (tests, or an embedding application)."""
    _cancelled.clear()


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    left = time_left()
    if left is None:
        return timeout
    if left <= 0:
        raise expired("deadline reached: no complete answer in time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(NetworkStream):
    """A stream whose operations stop at the thread's deadline and on `cancel_all()`."""

    def __init__(self, inner: NetworkStream) -> None:
        self._inner = inner
        sock = inner.get_extra_info("socket") if _QUICKACK else None
        self._quick: socket.socket | None = sock if isinstance(sock, socket.socket) else None
        with _live_lock:
            _live.add(self)

    def abort(self) -> None:
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)   # wakes a recv blocked in another thread
            except OSError:
                pass

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._quick is not None:
            try:
                self._quick.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            except OSError:                 # not TCP after all (a Unix socket): never again
                self._quick = None
        try:
            data = self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))
        except httpcore.NetworkError as exc:
            if _cancelled.is_set():
                raise Cancelled("cancelled") from exc
            raise
        if not data and _cancelled.is_set():
            raise Cancelled("cancelled")
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))
        except httpcore.NetworkError as exc:
            if _cancelled.is_set():
                raise Cancelled("cancelled") from exc
            raise

    def close(self) -> None:
        with _live_lock:
            _live.discard(self)
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        with _live_lock:
            _live.discard(self)
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(NetworkBackend):
    """httpcore's blocking backend, with `_DeadlineStream`s."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> NetworkStream:
        stream = self._inner.connect_tcp(host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address,
                                         socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> NetworkStream:
        stream = self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
