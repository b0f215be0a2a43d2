"""`python -m monitor run` as a real subprocess: checks on schedule, one instance per database, clean stop."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest


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


def test_daemon_checks_and_stops_on_sigterm(tmp_path, db_path, daemon_watchlist, wait_for, count_rows):
    proc = start_daemon(tmp_path, db_path)
    try:
        wait_for(lambda: count_rows(db_path, "versions") == 1)
        daemon_watchlist.set("/a", PAGE.format("Second version of the terms of service for every user."))
        wait_for(lambda: count_rows(db_path, "versions") == 2)

        second = start_daemon(tmp_path, db_path)
        _out, err = second.communicate(timeout=20)
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


def test_watchlist_edits_are_picked_up_and_bad_ones_ignored(tmp_path, db_path, daemon_watchlist, wait_for,
                                                             count_rows):
    watchlist = tmp_path / "watchlist.yaml"
    proc = start_daemon(tmp_path, db_path)
    try:
        wait_for(lambda: count_rows(db_path, "versions") == 1)
        # A valid edit is picked up without a signal: a second document appears and gets checked.
        daemon_watchlist.set("/b", PAGE.format("A second document, added while the daemon runs."))
        watchlist.write_text(watchlist.read_text() + f"      privacy:\n        url: {daemon_watchlist.url('/b')}\n")
        wait_for(lambda: count_rows(db_path, "versions") == 2)
        # An edit that does not validate is refused (here on SIGHUP) and the previous watchlist keeps running.
        log: list[str] = []
        reader = threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, "")), daemon=True)
        reader.start()
        watchlist.write_text("services:\n  example:\n    documents:\n      terms:\n        url: not-a-url\n")
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: any("watchlist not reloaded" in line for line in log))
        daemon_watchlist.set("/a", PAGE.format("Changed after the bad edit, and still the terms."))
        wait_for(lambda: count_rows(db_path, "versions") == 3)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        reader.join(timeout=10)
        text = "".join(log)
        assert "watchlist reloaded: 2 documents" in text
        assert "watchlist not reloaded, keeping the previous one" in text and "not-a-url" in text
    finally:
        stop(proc)
