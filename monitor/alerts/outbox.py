"""The daemon's continuous outbox: deliveries leave as soon as they are due, beside the checks.

One sender thread per target (a webhook, or any other kind of delivery target: the outbox's `webhook`
column names it) with pending deliveries. A sender sends its target's *oldest* pending delivery when it is
due and waits otherwise, so a target receives its deliveries in order, also after an outage; a slow or dead
target delays only its own. The sender holds the target's lease (`target:<name>`), so a `tosmon check`
beside the daemon never sends the same delivery as well.

    outbox = Outbox(db_path, alerts=lambda: watchlist.alerts, stop=stop_event)
    outbox.poll()      # every second, or after a check that queued deliveries
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

from monitor.alerts.deliver import TARGET_LEASE_SECONDS, send_one
from monitor.errors import Cancelled, MonitorError
from monitor.models import AlertConfig
from monitor.store import Store, health
from monitor.timeutil import utc_now

log = logging.getLogger(__name__)

#: Longest wait of a sender between two looks at its target's queue.
POLL_SECONDS = 1.0


class Outbox:
    """Sender threads for the targets with pending deliveries."""

    def __init__(self, db_path: str, *, alerts: Callable[[], AlertConfig], stop: threading.Event) -> None:
        self.db_path = db_path
        self.alerts = alerts
        self.stop = stop
        self._wake = threading.Event()
        self._senders: dict[str, threading.Thread] = {}

    def poll(self, store: Store) -> None:
        """Start a sender for each target with pending deliveries that has none running; wake the others."""
        self._wake.set()
        if self.stop.is_set():
            return
        for target in store.pending_targets():
            thread = self._senders.get(target)
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._send, args=(target,), name=f"outbox-{target}",
                                          daemon=True)
                self._senders[target] = thread
                thread.start()

    def join(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the senders to stop; True when all have."""
        import time

        until = time.monotonic() + timeout
        for thread in list(self._senders.values()):
            thread.join(max(0.0, until - time.monotonic()))
        return not any(t.is_alive() for t in self._senders.values())

    def _send(self, target: str) -> None:
        from monitor.fetch import make_client
        from monitor.store.leases import holder_id, try_lease

        name = f"target:{target}"
        store = Store(self.db_path)
        try:
            with make_client() as client:
                while not self.stop.is_set():
                    if not try_lease(store, name, ttl=TARGET_LEASE_SECONDS):  # another process sends
                        self.stop.wait(POLL_SECONDS)
                        continue
                    head = store.oldest_pending(target)
                    if head is None:
                        return
                    wait = 0.0 if head.next_attempt_at is None else \
                        (head.next_attempt_at - utc_now()).total_seconds()
                    if wait > 0:
                        self._wake.clear()
                        self._wake.wait(min(wait, POLL_SECONDS))
                        continue
                    alerts = self.alerts()
                    send_one(store, head, alerts.targets, alerts.retry, client=client)
        except Cancelled:
            pass
        except (MonitorError, sqlite3.Error) as exc:   # the next poll starts a new sender
            if not health.trouble(self.db_path, exc.__cause__ or exc):   # a full disk: one line an episode
                log.error("outbox %s: %s", target, exc)
        finally:
            try:
                store.release_lease(name, holder_id())
            except sqlite3.Error:
                pass
            store.close()
