"""`tosmon run`: the long-running service.

A `schedule` loop in the main thread ticks a dispatcher thread every second (and watches the watchlist
file). The dispatcher hands each document to a pool of check threads when it is due (`next_due_at`,
persisted, survives restarts), with politeness per host: one request at a time per host, request starts
HOST_DELAY_SECONDS apart; up to MAX_IN_FLIGHT hosts are checked at once, and no check waits for a round of
others to finish. Alerts leave continuously beside the checks (`monitor.alerts.outbox`).

SIGTERM/SIGINT cancel the fetches in flight (`monitor.fetch.deadline.cancel_all`); the process exits within
STOP_GRACE_SECONDS whatever the timeouts; a check cut short writes nothing (each check is one transaction).
SIGHUP or an edited watchlist reloads it and reschedules: next due = min(planned, last check + interval).
"""

from __future__ import annotations

import fcntl
import heapq
import logging
import os
import queue
import signal
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import schedule

from monitor.errors import ConfigError, MonitorError
from monitor.models import AlertConfig, Document, Outcome, Watchlist
from monitor.timeutil import utc_now

log = logging.getLogger(__name__)

#: How often the daemon looks for deadline reminders that have come (their lead times are whole days).
REMINDER_SECONDS = 60.0
TICK_SECONDS = 1
WATCH_FILE_SECONDS = 2
#: After SIGTERM: how long checks and deliveries in flight get to wind down (their fetches are cancelled).
STOP_GRACE_SECONDS = 5.0
#: At most this many hosts are checked at once; one request at a time per host, starts this far apart.
MAX_IN_FLIGHT = 16
HOST_DELAY_SECONDS = 1.0
#: `run --once` (a round, then exit): this many hosts at once.
MAX_CONCURRENT_HOSTS = 4


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
    """The dispatcher, its check threads and the outbox."""

    def __init__(self, *, db_path: str, watchlist_path: str) -> None:
        self.db_path = db_path
        self.watchlist_path = watchlist_path
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._reload = threading.Event()
        self._watchlist: Watchlist | None = None
        self._mtime = 0.0
        self._seen_mtime = 0.0
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[Document | None] = queue.SimpleQueue()
        self._docs: dict[str, Document] = {}          # the watchlist's documents by id
        self._due: dict[str, float] = {}              # document id -> next due (unix time)
        self._heap: list[tuple[float, str]] = []      # (due, id); stale entries are skipped
        self._hosts: dict[str, deque[str]] = {}       # host -> ids waiting for it, due order
        self._waiting: set[str] = set()               # ids in a host queue or in flight
        self._busy: set[str] = set()                  # hosts with a check in flight
        self._next_start: dict[str, float] = {}       # host -> earliest monotonic start of its next request
        self._in_flight = 0
        self._turn = 0
        self._startup: dict[str, str | None] = {}     # first check of each document due at start -> error
        self._startup_total = 0

    # --- main thread -------------------------------------------------------------------------------------

    def run(self, *, once: bool = False) -> None:
        """Run until SIGTERM/SIGINT (or one round with once=True)."""
        from monitor.fetch.deadline import cancel_all
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
            from monitor.store import Store

            Store(self.db_path).close()   # creates or migrates the database once, before the threads open it
            self._install_signals()
            workers = [threading.Thread(target=self._check_worker, name=f"check-{i}", daemon=True)
                       for i in range(MAX_IN_FLIGHT)]
            for worker in workers:
                worker.start()
            dispatcher = threading.Thread(target=self._dispatch_forever, name="dispatcher", daemon=True)
            dispatcher.start()
            scheduler = schedule.Scheduler()
            scheduler.every(TICK_SECONDS).seconds.do(self._wake.set)
            scheduler.every(WATCH_FILE_SECONDS).seconds.do(self._watch_file)
            log.info("tosmon running: %d documents, database %s (PID %d)",
                     len(self._watchlist.documents), self.db_path, os.getpid())
            while not self._stop.is_set():
                scheduler.run_pending()
                self._stop.wait(timeout=min(TICK_SECONDS, max(0.05, scheduler.idle_seconds or TICK_SECONDS)))
            log.info("stopping: cancelling the checks and deliveries in flight")
            cancel_all()
            for _ in workers:
                self._jobs.put(None)
            self._wake.set()
            until = time.monotonic() + STOP_GRACE_SECONDS
            for thread in [dispatcher, *workers]:
                thread.join(max(0.0, until - time.monotonic()))
            left = sum(t.is_alive() for t in workers)
            if left:   # e.g. a browser render: abandoned; its transaction, if any, is rolled back by SQLite
                log.warning("stopped with %d checks abandoned; nothing of theirs was committed", left)
            else:
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

    # --- dispatcher thread -------------------------------------------------------------------------------

    def _alerts(self) -> AlertConfig:
        assert self._watchlist is not None
        return self._watchlist.alerts

    def _dispatch_forever(self) -> None:
        from monitor.alerts import enqueue_due
        from monitor.alerts.outbox import Outbox
        from monitor.store import Store, health

        store = Store(self.db_path)
        outbox = Outbox(self.db_path, alerts=self._alerts, stop=self._stop)
        loaded = False
        reminders_due = 0.0
        try:
            while not self._stop.is_set():
                try:
                    if not loaded:   # retried every tick while the database cannot be read
                        self._load(store, first=True)
                        loaded = True
                    if self._reload.is_set():
                        self._maybe_reload(store)
                    self._dispatch()
                    if time.monotonic() >= reminders_due:   # deadline reminders that have come
                        enqueue_due(store, self._alerts())
                        reminders_due = time.monotonic() + REMINDER_SECONDS
                    outbox.poll(store)
                except MonitorError as exc:
                    if not health.trouble(self.db_path, exc.__cause__ or exc):
                        log.error("%s", exc)
                except Exception as exc:  # keep the service alive; the traceback is in the log
                    if not health.trouble(self.db_path, exc):   # full disk, read-only, locked: once an episode
                        log.exception("unexpected error in the scheduler")
                self._wake.wait(timeout=TICK_SECONDS)
                self._wake.clear()
        finally:
            outbox.join(STOP_GRACE_SECONDS / 2)
            store.close()

    def _load(self, store: object, *, first: bool = False) -> None:
        """Sync the watchlist into the database and (re)build the due times from it."""
        from monitor.store import Store

        assert isinstance(store, Store) and self._watchlist is not None
        now = utc_now()
        store.sync_documents(self._watchlist.documents, now=now)
        states = {s.id: s for s in store.document_states()}
        with self._lock:
            self._docs = {d.id: d for d in self._watchlist.documents}
            self._due.clear()
            self._heap.clear()
            for doc in self._watchlist.documents:
                state = states.get(doc.id)
                due = state.next_due_at.timestamp() if state and state.next_due_at else now.timestamp()
                self._due[doc.id] = due
                self._heap.append((due, doc.id))
            heapq.heapify(self._heap)
            if first:
                self._startup = {doc_id: None for doc_id, due in self._due.items() if due <= now.timestamp()}
                self._startup_total = len(self._startup)

    def _maybe_reload(self, store: object) -> None:
        from monitor.store import Store
        from monitor.watchlist import load_watchlist

        assert isinstance(store, Store)
        self._reload.clear()
        self._mtime = self._file_mtime()
        try:
            watchlist = load_watchlist(self.watchlist_path)
        except ConfigError as exc:
            log.error("watchlist not reloaded, keeping the previous one: %s", exc)
            return
        self._watchlist = watchlist
        before = intervals(store)
        store.sync_documents(watchlist.documents, now=utc_now())
        moved = reschedule(store, [d for d in watchlist.documents
                                   if before.get(d.id) != d.interval.total_seconds()])
        self._load(store)
        with self._lock:   # documents no longer listed leave their host queues
            for host, ids in self._hosts.items():
                gone = {i for i in ids if i not in self._due}
                self._hosts[host] = deque(i for i in ids if i not in gone)
                self._waiting -= gone
        log.info("watchlist reloaded: %d documents%s", len(watchlist.documents),
                 f", {moved} due sooner" if moved else "")

    def _dispatch(self) -> None:
        """Queue the due documents on their hosts; start one check on each idle host whose delay has passed."""
        docs = self._docs
        now, mono = time.time(), time.monotonic()
        with self._lock:
            while self._heap and self._heap[0][0] <= now:
                due, doc_id = heapq.heappop(self._heap)
                if self._due.get(doc_id) != due or doc_id in self._waiting or doc_id not in docs:
                    continue
                self._waiting.add(doc_id)
                self._hosts.setdefault(_host(docs[doc_id]), deque()).append(doc_id)
            hosts = list(self._hosts.items())
            self._turn = (self._turn + 1) % max(1, len(hosts))   # no host always first when slots run out
            for host, ids in hosts[self._turn:] + hosts[:self._turn]:
                if self._in_flight >= MAX_IN_FLIGHT:
                    break
                if not ids or host in self._busy or self._next_start.get(host, 0.0) > mono:
                    continue
                doc = docs.get(ids.popleft())
                if doc is None:
                    continue
                self._busy.add(host)
                self._next_start[host] = mono + HOST_DELAY_SECONDS
                self._in_flight += 1
                self._jobs.put(doc)

    # --- check threads -----------------------------------------------------------------------------------

    def _check_worker(self) -> None:
        from monitor.errors import Cancelled
        from monitor.fetch import make_client
        from monitor.pipeline import check_leased
        from monitor.store import Store, health

        store = Store(self.db_path)
        try:
            with make_client() as client:
                while (doc := self._jobs.get()) is not None:
                    error: str | None = None
                    due = None
                    try:
                        result = check_leased(doc, store=store, client=client, alerts=self._alerts(),
                                              stop=self._stop)
                        if result is not None and result.outcome is Outcome.ERROR:
                            error = result.error or "error"
                        state = store.document_state(doc.id)
                        due = state.next_due_at.timestamp() if state.next_due_at else None
                    except Cancelled:
                        return
                    except Exception as exc:  # keep the service alive; the traceback is in the log
                        if not health.trouble(self.db_path, exc):   # full disk, read-only, locked: once
                            log.exception("%s: unexpected error in the check thread", doc.id)
                    finally:
                        self._done(doc, due, error)
        finally:
            store.close()

    def _done(self, doc: Document, due: float | None, error: str | None) -> None:
        """A check ended: free its host, schedule its next check, and summarise the first start."""
        host = _host(doc)
        with self._lock:
            self._busy.discard(host)
            self._in_flight -= 1
            self._waiting.discard(doc.id)
            if due is None:   # not checked (a bug, or the lease never came): again in one tick
                due = time.time() + TICK_SECONDS
            if doc.id in self._due:
                self._due[doc.id] = due
                heapq.heappush(self._heap, (due, doc.id))
            summary = None
            if doc.id in self._startup and self._startup_total:
                self._startup[doc.id] = error or ""
                if all(v is not None for v in self._startup.values()):
                    summary = [e for e in self._startup.values() if e]
                    self._startup = {}
        if summary is not None:
            self._summarise_start(summary)
        self._wake.set()

    def _summarise_start(self, errors: list[str]) -> None:
        from monitor.pipeline import failure_causes

        total = self._startup_total
        causes = ", ".join(f"{cause} ({count})" for cause, count in failure_causes(errors))
        if errors and len(errors) == total:
            log.warning("%d of %d checks failed: is this machine offline? (%s); retrying in about a minute, "
                        "then less and less often", len(errors), total, causes)
        elif errors:
            log.warning("first checks: %d of %d failed (%s)", len(errors), total, causes)

    # --- run --once --------------------------------------------------------------------------------------

    def _round(self) -> None:
        """Check every due document, then send due deliveries."""
        from monitor.alerts import flush
        from monitor.pipeline import run_checks
        from monitor.store import Store, health

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
            if watchlist.alerts.targets and not self._stop.is_set():
                flush(store, watchlist.alerts)
        except MonitorError as exc:
            log.error("%s", exc)
        except sqlite3.Error as exc:     # a full disk, a read-only or locked file: one line per episode
            if not health.trouble(self.db_path, exc):
                raise
        finally:
            store.close()


def _host(doc: Document) -> str:
    """The politeness key: the page's host; a followed (ota:) document asks no host (its repository is
    fetched once for all its documents, under the source's own lock), so it waits for no other."""
    return f"ota:{doc.id}" if doc.ota is not None else urlsplit(doc.url).netloc.lower()


def intervals(store: object) -> dict[str, float]:
    """Each document's interval (seconds) as last synced into the database."""
    import json

    from monitor.store import Store

    assert isinstance(store, Store)
    rows = store.conn.execute("SELECT id, config FROM documents WHERE config IS NOT NULL").fetchall()
    return {doc_id: float(json.loads(config).get("interval", 0)) for doc_id, config in rows}


def reschedule(store: object, documents: tuple[Document, ...] | list[Document]) -> int:
    """After a reload, for `documents` (those whose interval changed): next due = min(planned, last check +
    interval), so a shorter interval applies now, not after the old one. Returns how many moved earlier."""
    from monitor.store import Store

    assert isinstance(store, Store)
    states = {s.id: s for s in store.document_states()}
    moved = 0
    with store.atomic():
        for doc in documents:
            state = states.get(doc.id)
            if state is None or state.last_checked_at is None or state.next_due_at is None:
                continue
            sooner = state.last_checked_at + doc.interval
            if sooner < state.next_due_at:
                store.set_next_due(doc.id, sooner)
                moved += 1
    return moved
