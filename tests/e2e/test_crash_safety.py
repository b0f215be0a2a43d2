"""SIGKILL in the middle of a checking cycle, then a restart: the database is intact and the change log is
the same as an uninterrupted run's (no lost and no doubled change). `tosmon check` is killed because it runs
the daemon's own code path (run_checks -> check_document, one transaction per document) without the daemon's
per-host politeness delay, so a kill lands mid-cycle."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

N = 40


def page(i: int, version: int) -> str:
    paragraphs = "".join(f"<p>Document {i}, clause {k}: we keep the information you give us safe and use it only "
                         f"to run the service described in part {k}.</p>" for k in range(30))
    extra = f"<p>Version {version} adds a clause about retention periods for document {i}.</p>" if version else ""
    return f"<html><body><main><h1>Terms {i}</h1>{paragraphs}{extra}</main></body></html>"


def check(tmp_path: Path, db: Path, *, kill_after: float | None) -> int:
    env = {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml")}
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "check"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=120)


def change_log(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("""SELECT c.document_id, c.from_version, c.to_version, c.added, c.removed, c.modified
                               FROM changes c ORDER BY c.document_id""").fetchall()


def versions(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT document_id, count(*) FROM versions GROUP BY document_id"))


def test_sigkill_mid_cycle_loses_and_doubles_nothing(tmp_path, page_server, write_watchlist):
    rng = random.Random(7)
    for i in range(N):
        page_server.set(f"/d{i}", page(i, 0), etag=False, delay=0.02)   # the checks outlast start-up
    write_watchlist("services:\n" + "".join(
        f"  s{i}:\n    documents:\n      terms:\n        url: {page_server.url(f'/d{i}')}\n" for i in range(N)))
    crashed, reference = tmp_path / "crashed.db", tmp_path / "reference.db"

    started = time.monotonic()
    assert check(tmp_path, reference, kill_after=None) == 0
    took = time.monotonic() - started          # kills land within a run: start-up, then the checks

    killed = 0
    for _ in range(4):
        killed += check(tmp_path, crashed, kill_after=rng.uniform(0.5, 0.95) * took) == -signal.SIGKILL
    assert check(tmp_path, crashed, kill_after=None) == 0
    assert versions(crashed) == versions(reference) == {f"s{i}/terms": 1 for i in range(N)}

    for i in range(N):
        page_server.set(f"/d{i}", page(i, 1), etag=False, delay=0.02)
    started = time.monotonic()
    assert check(tmp_path, reference, kill_after=None) == 0
    took = time.monotonic() - started
    for _ in range(4):
        killed += check(tmp_path, crashed, kill_after=rng.uniform(0.5, 0.95) * took) == -signal.SIGKILL
    assert check(tmp_path, crashed, kill_after=None) == 0

    assert killed >= 4, "the kills should land while checks were running"
    assert change_log(crashed) == change_log(reference)
    assert len(change_log(reference)) == N
    assert versions(crashed) == versions(reference)
