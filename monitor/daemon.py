"""`tosmon run`: the long-running service. A `schedule` loop in the main thread wakes a worker thread that
checks the documents that are due (their `next_due_at`, persisted, survives restarts) and sends due alerts.
SIGTERM/SIGINT let the in-flight check finish and stop within 10 s; SIGHUP or an edited watchlist reloads it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import schedule

from monitor.errors import ConfigError, MonitorError
from monitor.models import Watchlist
from monitor.timeutil import utc_now

log = logging.getLogger(__name__)

TICK_SECONDS = 1
WATCH_FILE_SECONDS = 2
STOP_GRACE_SECONDS = 8.0
#: At most this many hosts are checked at once; one request at a time per host, this far apart.
MAX_CONCURRENT_HOSTS = 4
HOST_DELAY_SECONDS = 1.0


@contextmanager
def single_instance(db_path: str) -> Iterator[None]:
    """Hold an exclusive lock beside the database; a second daemon on it fails at once, naming the PID."""
    lock_path = Path(f"{os.path.realpath(db_path)}.lock")   # the real file: a symlinked path is the same db
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            raise MonitorError(
                f"{db_path}: another `tosmon run` is already using this database (PID {pid})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


class Daemon:
    """The scheduler and its worker."""

    def __init__(self, *, db_path: str, watchlist_path: str) -> None:
        self.db_path = db_path
        self.watchlist_path = watchlist_path
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._reload = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._watchlist: Watchlist | None = None
        self._mtime = 0.0
        self._seen_mtime = 0.0

    # --- main thread -------------------------------------------------------------------------------------

    def run(self, *, once: bool = False) -> None:
        """Run until SIGTERM/SIGINT (or one round with once=True)."""
        from monitor.store import health
        from monitor.watchlist import load_watchlist

        health.verify(self.db_path)     # an empty or damaged file: one line, never used silently
        with single_instance(self.db_path):
            self._watchlist = load_watchlist(self.watchlist_path)
            health.startup(self.db_path)
            self._mtime = self._seen_mtime = self._file_mtime()
            if once:
                self._round()
                return
            self._install_signals()
            worker = threading.Thread(target=self._work, name="tosmon-worker", daemon=True)
            worker.start()
            scheduler = schedule.Scheduler()
            scheduler.every(TICK_SECONDS).seconds.do(self._wake.set)
            scheduler.every(WATCH_FILE_SECONDS).seconds.do(self._watch_file)
            log.info("tosmon running: %d documents, database %s (PID %d)",
                     len(self._watchlist.documents), self.db_path, os.getpid())
            self._wake.set()
            while not self._stop.is_set():
                scheduler.run_pending()
                self._stop.wait(timeout=min(TICK_SECONDS, max(0.05, scheduler.idle_seconds or TICK_SECONDS)))
            log.info("stopping: waiting for the check in flight")
            self._wake.set()
            worker.join(timeout=STOP_GRACE_SECONDS)
            if worker.is_alive():
                log.warning("stopping with a check still in flight; its transaction is rolled back")
            log.info("stopped")

    def _install_signals(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            self._stop.set()

        def reload(signum: int, frame: FrameType | None) -> None:
            self._reload.set()
            self._wake.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGHUP, reload)

    def _file_mtime(self) -> float:
        try:
            return os.stat(self.watchlist_path).st_mtime
        except OSError:
            return 0.0

    def _watch_file(self) -> None:
        """Reload once the file has changed and then stayed the same for one polling period, so a file
        caught halfway through being written (truncated, empty) is never loaded."""
        mtime = self._file_mtime()
        if mtime != self._mtime and mtime == self._seen_mtime:
            self._reload.set()
            self._wake.set()
        self._seen_mtime = mtime

    # --- worker thread -----------------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._round()
            except Exception:  # keep the service alive; the traceback is in the log
                log.exception("unexpected error in the check round")

    def _maybe_reload(self) -> None:
        from monitor.watchlist import load_watchlist

        if not self._reload.is_set():
            return
        self._reload.clear()
        self._mtime = self._file_mtime()
        try:
            self._watchlist = load_watchlist(self.watchlist_path)
            log.info("watchlist reloaded: %d documents", len(self._watchlist.documents))
        except ConfigError as exc:
            log.error("watchlist not reloaded, keeping the previous one: %s", exc)
            return

    def _round(self) -> None:
        """Check every due document, then send due deliveries."""
        from monitor.alerts import send_due
        from monitor.fetch import make_client
        from monitor.pipeline import run_checks
        from monitor.store import Store, health

        self._maybe_reload()
        assert self._watchlist is not None
        watchlist = self._watchlist
        try:
            store = Store(self.db_path)
        except MonitorError as exc:
            if not health.trouble(self.db_path, exc.__cause__ or exc):
                log.error("%s", exc)
            return
        try:
            now = utc_now()
            store.sync_documents(watchlist.documents, now=now)
            states = {s.id: s for s in store.document_states()}
            due = [doc for doc in watchlist.documents
                   if (state := states.get(doc.id)) is None or state.next_due_at is None or state.next_due_at <= now]
            for _ in run_checks(due, db_path=self.db_path, alerts=watchlist.alerts, workers=MAX_CONCURRENT_HOSTS,
                                host_delay=HOST_DELAY_SECONDS, stop=self._stop):
                pass
            if watchlist.alerts.webhooks and not self._stop.is_set():
                with make_client() as client:
                    send_due(store, watchlist.alerts.webhooks, watchlist.alerts.retry, client=client)
        except MonitorError as exc:
            log.error("%s", exc)
        except sqlite3.Error as exc:     # a full disk, a read-only or locked file: one line per episode
            if not health.trouble(self.db_path, exc):
                raise
        finally:
            store.close()
