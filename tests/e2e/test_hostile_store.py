"""The database in a hostile world (issue 13, findings 1 and 7): a dictionary transaction that fails (injected,
or a real full tmpfs) and a SIGKILL around it leave every check working after a restart; a full disk is one
log line per episode and the daemon carries on by itself once space returns; `tosmon run` refuses an empty,
foreign or damaged database with one line, and a symlinked database path cannot start a second daemon."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from monitor.store import Store

#: The daemon with dictionaries trained after 8 blobs (instead of 32), 0.1 s between requests to a host, and optionally a fault at the
#: recompression step of the first training: "fail" (the transaction rolls back, as on a full disk at
#: COMMIT) or "kill" (SIGKILL inside the transaction).
LAUNCHER = """
import os, signal, sqlite3, sys
from monitor.store import blobs
from monitor import daemon
blobs.TRAIN_AFTER = 8
daemon.HOST_DELAY_SECONDS = 0.1
fault = os.environ.get("FAULT", "")
real = blobs.Blobs._recompress
done = []
def faulty(self, kind, dict_id):
    if fault and not done:
        done.append(1)
        if fault == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise sqlite3.OperationalError("database or disk is full")
    real(self, kind, dict_id)
blobs.Blobs._recompress = faulty
from monitor.cli import cli
sys.argv = ["tosmon", "run"]
cli()
"""

DOCS = 6
WORDS = ("we collect process share store your personal data account content location device partners "
         "advertising consent legitimate interest retention transfer rights object erase access").split()


def page(n: int, round_: int) -> str:
    """A terms page big and varied enough for zstd to train a dictionary on a few of them."""
    rng = random.Random(n * 1000 + round_)
    paragraphs = "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))).capitalize()}.</p>"
                         for _ in range(40))
    return (f"<html><head><title>Terms {n}</title></head><body><main><h1>Terms of document {n}</h1>"
            f"<p>Round {round_} of the terms of document {n}.</p>{paragraphs}</main></body></html>")


def start(tmp_path: Path, db: Path, fault: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml"),
           "FAULT": fault}
    return subprocess.Popen([sys.executable, "-c", LAUNCHER], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> str:
    if proc.poll() is None:
        proc.kill()
    return proc.communicate(timeout=20)[1]


@contextmanager
def logged_daemon(tmp_path: Path, db: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`tosmon run` on `db`, its stderr collected line by line into the list it yields; killed at the end."""
    proc = start(tmp_path, db)
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    try:
        yield proc, log
    finally:
        finish(proc)
        reader.join(timeout=5)


def serve(page_server, write_watchlist, round_: int) -> None:
    for n in range(DOCS):
        page_server.set(f"/d{n}", page(n, round_))
    if round_ == 0:
        docs = "".join(f"      d{n}:\n        url: {page_server.url(f'/d{n}')}\n" for n in range(DOCS))
        write_watchlist(f"defaults:\n  interval: 1s\nservices:\n  example:\n    documents:\n{docs}")


def all_readable(db: Path) -> None:
    store = Store(db)
    try:
        assert store.blobs.unreadable() == {}
        for doc_id, number in store.conn.execute("SELECT document_id, number FROM versions").fetchall():
            store.version_text(doc_id, number)
        for (snapshot_id,) in store.conn.execute("SELECT id FROM snapshots WHERE body_hash IS NOT NULL"):
            assert store.snapshot_body(snapshot_id) is not None
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


def readonly(db: Path) -> sqlite3.Connection:
    """A connection that never creates the file (the daemon refuses a 0-byte database)."""
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def versions_of_every_doc(db: Path, at_least: int) -> bool:
    try:
        with readonly(db) as conn:
            rows = conn.execute("SELECT document_id, max(number) FROM versions GROUP BY document_id").fetchall()
    except sqlite3.OperationalError:
        return False
    return len(rows) == DOCS and all(n >= at_least for _, n in rows)


def latest_numbers(db: Path) -> dict[str, int]:
    with readonly(db) as conn:
        return dict(conn.execute("SELECT document_id, max(number) FROM versions GROUP BY document_id").fetchall())


def every_doc_moved_on(db: Path, before: dict[str, int]) -> bool:
    try:
        now = latest_numbers(db)
    except sqlite3.OperationalError:
        return False
    return len(now) == DOCS and all(now[doc] > before.get(doc, 0) for doc in now)


@pytest.mark.parametrize("fault", ["fail", "kill"])
def test_a_failed_dictionary_transaction_and_a_sigkill_leave_every_check_working(
        fault, tmp_path, db_path, page_server, write_watchlist, wait_for):
    serve(page_server, write_watchlist, 0)
    proc = start(tmp_path, db_path, fault)
    try:
        wait_for(lambda: versions_of_every_doc(db_path, 1), timeout=90)
        serve(page_server, write_watchlist, 1)             # the 8th body trains the dictionary: the fault
        if fault == "kill":
            proc.wait(timeout=90)                          # killed inside the dictionary's transaction
            assert proc.returncode == -signal.SIGKILL
        else:
            wait_for(lambda: versions_of_every_doc(db_path, 2), timeout=90)
            serve(page_server, write_watchlist, 2)         # written with whatever the daemon kept in memory
            wait_for(lambda: versions_of_every_doc(db_path, 3), timeout=90)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
    finally:
        finish(proc)
    all_readable(db_path)

    again = start(tmp_path, db_path)                       # restarted without a fault: everything works
    try:
        for round_ in (3, 4):
            before = latest_numbers(db_path)
            serve(page_server, write_watchlist, round_)
            wait_for(lambda b=before: every_doc_moved_on(db_path, b), timeout=90)
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=20)
    finally:
        err = finish(again)
    assert "is missing from the database" not in err and "Traceback" not in err, err
    all_readable(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM dictionaries").fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] >= 2 * DOCS


@pytest.fixture
def tmpfs(tmp_path) -> Path:
    """A 16 MB tmpfs (the WAL alone may grow to 4 MB before a checkpoint) mounted for the test (root only); unmounted after it."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path: Path) -> None:
    """Write zeros until the filesystem is full."""
    try:                            # the last write, or the flush when closing, meets the full disk
        with open(path, "wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
    except OSError:
        pass
    if path.stat().st_size and os.statvfs(path.parent).f_bavail > 16:
        raise AssertionError("the filesystem did not fill")


def test_a_real_full_disk_is_one_line_and_the_daemon_recovers_by_itself(tmp_path, tmpfs, page_server,
                                                                        write_watchlist, wait_for):
    db = tmpfs / "monitor.db"
    serve(page_server, write_watchlist, 0)
    with logged_daemon(tmp_path, db) as (proc, log):
        try:
            wait_for(lambda: versions_of_every_doc(db, 1), timeout=90)
            filler = tmpfs / "filler"
            for round_ in range(1, 4):                         # each round: fill the disk, change every page
                fill(filler)
                serve(page_server, write_watchlist, round_)
                wait_for(lambda: any("disk is full" in line for line in log), timeout=60)
                time.sleep(4)                                  # several rounds of checks on the full disk
                filler.unlink()
                wait_for(lambda r=round_: versions_of_every_doc(db, r + 1), timeout=90)
                log.clear()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        except AssertionError as exc:
            raise AssertionError("".join(log)) from exc
    all_readable(db)


def test_a_full_disk_is_reported_once_per_episode(tmp_path, tmpfs, page_server, write_watchlist, wait_for):
    db = tmpfs / "monitor.db"
    serve(page_server, write_watchlist, 0)
    with logged_daemon(tmp_path, db) as (_proc, log):
        wait_for(lambda: versions_of_every_doc(db, 1), timeout=90)
        fill(tmpfs / "filler")
        serve(page_server, write_watchlist, 1)
        time.sleep(8)                                      # 8 ticks of the scheduler, 6 documents each
        full = [line for line in log if "disk is full" in line]
        assert len(full) == 1, full
        assert not any("Traceback" in line for line in log), "".join(log)
        (tmpfs / "filler").unlink()
        wait_for(lambda: any("writable again" in line for line in log), timeout=60)
        wait_for(lambda: versions_of_every_doc(db, 2), timeout=60)


def run_daemon(tmp_path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml")}
    return subprocess.run([sys.executable, "-m", "monitor", "run"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


def damaged(db: Path) -> None:
    """A real database with a page in its middle overwritten."""
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [(f"row {i} " * 20,) for i in range(2000)])
        conn.execute("CREATE INDEX t_x ON t(x)")
    conn.close()
    size = db.stat().st_size
    with open(db, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(4096))


@pytest.mark.parametrize("case, expected", [
    ("empty", "empty (0 bytes)"),
    ("random", "not an SQLite database"),
    ("damaged", "damaged"),
])
def test_run_refuses_a_database_it_cannot_trust_with_one_line(case, expected, tmp_path, db_path, page_server,
                                                               write_watchlist):
    serve(page_server, write_watchlist, 0)
    db_path.parent.mkdir(parents=True)
    if case == "empty":
        db_path.write_bytes(b"")
    elif case == "random":
        db_path.write_bytes(os.urandom(8192))
    else:
        damaged(db_path)
    before = db_path.read_bytes()
    done = run_daemon(tmp_path, db_path)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(db_path) in lines[0], done.stderr
    assert db_path.read_bytes() == before                  # never used, never "repaired" silently


def test_a_symlinked_database_path_cannot_start_a_second_daemon(tmp_path, db_path, page_server, write_watchlist,
                                                                 wait_for):
    serve(page_server, write_watchlist, 0)
    first = start(tmp_path, db_path)
    try:
        wait_for(lambda: versions_of_every_doc(db_path, 1), timeout=90)
        link = tmp_path / "elsewhere.db"
        link.symlink_to(db_path)
        second = run_daemon(tmp_path, link)
        assert second.returncode == 1
        assert "already" in second.stderr and f"PID {first.pid}" in second.stderr
    finally:
        finish(first)


def test_a_long_held_lock_is_one_line_and_the_daemon_carries_on(tmp_path, db_path, page_server, write_watchlist,
                                                                 wait_for):
    serve(page_server, write_watchlist, 0)
    with logged_daemon(tmp_path, db_path) as (_proc, log):
        wait_for(lambda: versions_of_every_doc(db_path, 1), timeout=90)
        holder = sqlite3.connect(db_path, isolation_level=None)   # another program writing for 25 s
        holder.execute("BEGIN EXCLUSIVE")
        serve(page_server, write_watchlist, 1)
        try:
            wait_for(lambda: any("locked" in line for line in log), timeout=60)
            time.sleep(12)                                 # more checks meet the lock (10 s busy timeout each)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        wait_for(lambda: versions_of_every_doc(db_path, 2), timeout=90)
        wait_for(lambda: any("writable again" in line for line in log), timeout=30)
        locked = [line for line in log if "locked" in line and "ERROR" in line]
        assert len(locked) == 1, locked
        assert not any("Traceback" in line for line in log), "".join(log)
