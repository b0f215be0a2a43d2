"""Leases in the database: one holder at a time for a document's check or a webhook's deliveries, across
threads and processes (`tosmon check` beside `tosmon run`).

    with leased(store, f"doc:{doc.id}", ttl=120, stop=stop_event) as held:
        if held: ...   # False only when `stop` was set while waiting

A lease whose holder process is gone (SIGKILL) is taken over at once; one left by another machine after `ttl`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from monitor.store import Store

POLL_SECONDS = 0.1
_HOST = socket.gethostname()


def holder_id() -> str:
    """This thread of this process: `<pid>:<thread>@<host>`."""
    return f"{os.getpid()}:{threading.get_ident()}@{_HOST}"


def _gone(holder: str) -> bool:
    """Whether `holder` is a process of this machine that no longer exists."""
    pid, _, rest = holder.partition(":")
    if rest.partition("@")[2] != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def try_lease(store: Store, name: str, *, ttl: float) -> bool:
    """Take the lease now if it is free, expired or held by a dead process of this machine."""
    me = holder_id()
    if store.acquire_lease(name, me, ttl=ttl):
        return True
    holder = store.lease_holder(name)
    if holder is not None and _gone(holder):
        store.release_lease(name, holder)
        return store.acquire_lease(name, me, ttl=ttl)
    return False


@contextmanager
def leased(store: Store, name: str, *, ttl: float, stop: threading.Event | None = None,
           wait: bool = True) -> Iterator[bool]:
    """Hold the lease `name` for the block, waiting for it (unless `wait` is False); yields False when it was
    not taken (`stop` set while waiting, or busy and `wait` False)."""
    held = try_lease(store, name, ttl=ttl)
    while not held and wait and not (stop is not None and stop.is_set()):
        if stop is not None:
            stop.wait(POLL_SECONDS)
        else:
            time.sleep(POLL_SECONDS)
        held = try_lease(store, name, ttl=ttl)
    try:
        yield held
    finally:
        if held:
            store.release_lease(name, holder_id())
