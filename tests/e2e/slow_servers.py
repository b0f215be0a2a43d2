"""A loopback server that answers slowly on purpose: a status line then one header byte per second, a body
one byte every few seconds, or nothing at all. Used by the deadline, stop and scheduling tests."""

from __future__ import annotations

import socket
import threading
import time


class SlowServer:
    """Raw-socket HTTP server on 127.0.0.1. Paths: `/headers` trickles header bytes (1/s), `/body` sends
    headers then one body byte every `body_gap` seconds, `/hang` reads the request and never answers,
    anything else answers a small page at once (`page`). `requests` counts requests by path."""

    def __init__(self, *, body_gap: float = 9.0, page: bytes = b"<main><p>Quick page, plain terms.</p></main>",
                 host: str = "127.0.0.1") -> None:
        self.body_gap = body_gap
        self.page = page
        self.requests: dict[str, int] = {}
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._sock.getsockname()
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests.get(path, 0)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self._conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _pause(self, seconds: float) -> bool:
        return not self.stopping.wait(seconds)

    def _handle(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode().split("?")[0]
            with self._lock:
                self.requests[path] = self.requests.get(path, 0) + 1
            if path == "/hang":
                self.stopping.wait(120)
            elif path == "/headers":
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                while self._pause(1.0):
                    conn.sendall(b"X")
            elif path == "/body":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100\r\n\r\n<p>")
                while self._pause(self.body_gap):
                    conn.sendall(b"x")
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"
                             + f"Content-Length: {len(self.page)}\r\n\r\n".encode() + self.page)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(timeout=5)
        self._sock.close()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def wait_until(predicate: object, timeout: float = 30.0) -> None:
    """Poll `predicate()` until true; fail at the deadline."""
    assert callable(predicate)
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met before the deadline")
