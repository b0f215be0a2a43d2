"""The daemon and `check` as real processes against slow loopback servers: prompt stop on SIGTERM / Ctrl-C
whatever the timeouts, one slow host delaying only its own documents, alerts leaving while checks are in
flight, interval edits taking effect at once, an offline start said in one line, and concurrent `check`
processes storing one version, one change and sending one alert."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slow_servers import SlowServer, wait_until

PAGE = "<html><body><main><h1>Terms</h1><p>{}</p><p>We may update these terms from time to time.</p></main></body></html>"


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    server = SlowServer()
    try:
        yield server
    finally:
        server.stop()


def _env(tmp_path: Path, db: Path) -> dict[str, str]:
    return {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml"),
            "NO_COLOR": "1"}


def _spawn(tmp_path: Path, db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], env=_env(tmp_path, db), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str], *, wait: float = 0.0) -> tuple[str, str]:
    """Its output, after waiting up to `wait` seconds for it to end by itself (then killing it)."""
    try:
        return proc.communicate(timeout=wait or 0.01)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate(timeout=10)


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []


def _docs(*urls: str, interval: str = "1s", timeout: str = "60s") -> str:
    lines = [f"defaults:\n  interval: {interval}\n  timeout: {timeout}\nservices:\n  example:\n    documents:\n"]
    lines += [f"      d{i}:\n        url: {url}\n" for i, url in enumerate(urls)]
    return "".join(lines)


def test_sigterm_stops_the_daemon_at_once_with_a_fetch_in_flight(tmp_path, db_path, slow):
    (tmp_path / "watchlist.yaml").write_text(_docs(slow.url("/hang"), timeout="60s"))
    proc = _spawn(tmp_path, db_path, "run")
    try:
        wait_until(lambda: slow.count("/hang") >= 1)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        assert time.monotonic() - started < 10      # before: until the 60 s timeout
    finally:
        _out, err = _finish(proc)
    assert proc.returncode == 0
    assert err.rstrip().endswith("stopped") and "Traceback" not in err
    # the cancelled check wrote nothing: no error snapshot, no failure counted
    assert _rows(db_path, "SELECT count(*) FROM snapshots") == [(0,)]
    assert _rows(db_path, "SELECT consecutive_failures FROM documents") == [(0,)]
    assert _rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_ctrl_c_in_check_stops_at_once_with_one_line(tmp_path, db_path, slow, page_server):
    page_server.set("/a", PAGE.format("Quick terms that answer at once."))
    (tmp_path / "watchlist.yaml").write_text(_docs(page_server.url("/a"), slow.url("/hang"), slow.url("/headers"),
                                                   timeout="60s"))
    proc = _spawn(tmp_path, db_path, "check")
    try:
        wait_until(lambda: slow.count("/hang") >= 1 and slow.count("/headers") >= 1)
        wait_until(lambda: _rows(db_path, "SELECT count(*) FROM versions") == [(1,)])
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 3
    finally:
        out, err = _finish(proc)
    assert proc.returncode == 130
    assert err.strip() == "interrupted; 2 documents not checked", err
    assert "Traceback" not in err and "Aborted" not in err
    assert "example/d0" in out
    assert _rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_a_slow_host_delays_only_its_own_documents_and_alerts_leave_meanwhile(tmp_path, db_path, slow,
                                                                           page_server, make_receiver):
    receiver = make_receiver()
    page_server.set("/a", PAGE.format("The first terms of the quick host."))
    (tmp_path / "watchlist.yaml").write_text(
        _docs(slow.url("/headers"), page_server.url("/a"), timeout="120s")
        + f"alerts:\n  webhooks:\n    - name: ops\n      url: {receiver.url}\n      events: [change.detected]\n")
    proc = _spawn(tmp_path, db_path, "run")
    try:
        wait_until(lambda: _rows(db_path, "SELECT count(*) FROM versions") == [(1,)])
        page_server.set("/a", PAGE.format("The second terms of the quick host, changed."))
        wait_until(lambda: len(receiver.requests) == 1, timeout=20)   # while /headers is still trickling
        quick = "SELECT count(*) FROM snapshots WHERE document_id = 'example/d1'"
        wait_until(lambda: _rows(db_path, quick)[0][0] >= 4, timeout=15)  # type: ignore[operator]
        assert slow.count("/headers") == 1   # still in its first request: not a round everyone waits for
        assert _rows(db_path, "SELECT count(*) FROM snapshots WHERE document_id = 'example/d0'") == [(0,)]
    finally:
        proc.send_signal(signal.SIGTERM)
        _finish(proc)


def test_a_shorter_interval_takes_effect_on_reload(tmp_path, db_path, page_server):
    page_server.set("/a", PAGE.format("Terms checked every six hours at first."))
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(_docs(page_server.url("/a"), interval="6h"))
    proc = _spawn(tmp_path, db_path, "run")
    try:
        wait_until(lambda: _rows(db_path, "SELECT count(*) FROM snapshots") == [(1,)])
        watchlist.write_text(_docs(page_server.url("/a"), interval="2s"))
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: _rows(db_path, "SELECT count(*) FROM snapshots")[0][0] >= 2, timeout=15)  # type: ignore[operator]
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = _finish(proc)
    assert "due sooner" in err


def test_an_offline_first_start_says_so_in_one_line_and_retries_soon(tmp_path, db_path):
    with socketless_port() as port:
        urls = [f"http://127.0.0.1:{port}/t{i}" for i in range(3)]
        (tmp_path / "watchlist.yaml").write_text(_docs(*urls, interval="6h"))
        proc = _spawn(tmp_path, db_path, "run")
        try:
            wait_until(lambda: _rows(db_path, "SELECT count(*) FROM snapshots") == [(3,)])
            time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            _out, err = _finish(proc)
    lines = [line for line in err.splitlines() if "is this machine offline?" in line]
    assert len(lines) == 1 and "3 of 3 checks failed" in lines[0] and "connection failed (3)" in lines[0]
    [(due, checked)] = _rows(db_path, "SELECT max(next_due_at), max(last_checked_at) FROM documents")
    from monitor.timeutil import from_iso
    assert isinstance(due, str) and isinstance(checked, str)
    wait = (from_iso(due) - from_iso(checked)).total_seconds()
    assert 30 <= wait <= 90          # about a minute, not six hours


class socketless_port:
    """A loopback port with nothing listening (bound, never listened on, closed at exit)."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def test_concurrent_checks_store_one_version_one_change_and_send_one_alert(tmp_path, db_path, page_server,
                                                                          make_receiver):
    receiver = make_receiver()
    page_server.set("/a", PAGE.format("The terms as they were before."))
    (tmp_path / "watchlist.yaml").write_text(
        _docs(page_server.url("/a"), timeout="30s")
        + f"alerts:\n  webhooks:\n    - name: ops\n      url: {receiver.url}\n      events: [change.detected]\n")
    first = _spawn(tmp_path, db_path, "check")
    _finish(first, wait=60)
    assert first.returncode == 0
    page_server.set("/a", PAGE.format("The terms as they are now, changed once."))
    procs = [_spawn(tmp_path, db_path, "check") for _ in range(4)]
    outputs = [_finish(p, wait=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert _rows(db_path, "SELECT count(*) FROM versions") == [(2,)]
    assert _rows(db_path, "SELECT count(*) FROM changes") == [(1,)]
    assert _rows(db_path, "SELECT count(*) FROM deliveries") == [(1,)]
    wait_until(lambda: len(receiver.requests) >= 1, timeout=10)
    time.sleep(0.5)
    assert len(receiver.requests) == 1
    assert sum("  changed" in out for out, _err in outputs) == 1
