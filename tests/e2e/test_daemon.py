"""`python -m monitor run` as a real subprocess: checks on schedule, one instance per database, clean stop."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not met before the deadline")


def versions(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill the daemon if it still runs, and close its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)


def start_daemon(tmp_path: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml")}
    return subprocess.Popen([sys.executable, "-m", "monitor", *extra, "run"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


PAGE = ("<html><body><main><h1>Terms</h1><p>{}</p><p>We may update these terms from time to time.</p>"
        "</main></body></html>")


@pytest.fixture
def daemon_watchlist(page_server, write_watchlist):
    page_server.set("/a", PAGE.format("First version of the terms of service for every user."))
    write_watchlist(f"defaults:\n  interval: 1s\nservices:\n  example:\n    documents:\n"
                    f"      terms:\n        url: {page_server.url('/a')}\n")
    return page_server


def test_daemon_checks_and_stops_on_sigterm(tmp_path, db_path, daemon_watchlist):
    proc = start_daemon(tmp_path, db_path)
    try:
        wait_for(lambda: versions(db_path) == 1)
        daemon_watchlist.set("/a", PAGE.format("Second version of the terms of service for every user."))
        wait_for(lambda: versions(db_path) == 2)

        second = start_daemon(tmp_path, db_path)
        out, err = second.communicate(timeout=20)
        assert second.returncode == 1
        assert f"PID {proc.pid}" in err and "already" in err

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        assert time.monotonic() - started < 10
        assert proc.returncode == 0
    finally:
        stop(proc)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 1


def test_daemon_keeps_old_watchlist_when_edit_is_invalid(tmp_path, db_path, daemon_watchlist):
    proc = start_daemon(tmp_path, db_path)
    try:
        wait_for(lambda: versions(db_path) == 1)
        (tmp_path / "watchlist.yaml").write_text("services:\n  example:\n    documents:\n      terms:\n"
                                                 "        url: not-a-url\n")
        daemon_watchlist.set("/a", PAGE.format("Changed after the bad edit, and still the terms."))
        wait_for(lambda: versions(db_path) == 2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        assert "watchlist not reloaded" in err and "url" in err
    finally:
        stop(proc)
