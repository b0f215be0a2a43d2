"""Is the database fit to use? `verify` refuses a broken file before the daemon starts on it; `trouble` and
`healthy` turn a database that cannot be written for a while (a full disk, a read-only file, a lock held by
another program) into one log line when the episode starts and one when it ends, not a traceback per check;
`repair_blobs` says what an older tosmon left unreadable and clears what can be cleared.

    verify("db/monitor.db")                     # StoreError: one line naming the file and the problem
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.errors import StoreError

if TYPE_CHECKING:
    from monitor.store import Store

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
#: How an SQLite error message names each kind of trouble that passes when the operator acts (or waits).
TROUBLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("the disk is full", ("disk is full", "database or disk is full")),
    ("the database is read-only", ("readonly database", "read-only")),
    ("the database is locked by another program", ("database is locked", "database table is locked")),
    ("the disk reports I/O errors", ("disk i/o error",)),
)

_lock = threading.Lock()
_episodes: dict[str, str] = {}   # database path -> the trouble being reported


def verify(path: str | Path) -> None:
    """Raise StoreError (one line) when the file at `path` exists but is not a sound SQLite database: empty,
    another kind of file, or failing `PRAGMA quick_check`. A missing file is fine: it is created."""
    file = Path(path)
    if not file.exists():
        return
    try:
        with open(file, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the database: {exc.strerror or exc}") from exc
    if not header:
        raise StoreError(f"{path}: the database file is empty (0 bytes); move it away (a new one is created) "
                         f"or restore a backup")
    if header != SQLITE_HEADER:
        raise StoreError(f"{path}: not an SQLite database (it starts with {header[:8]!r}); check --db")
    try:
        conn = sqlite3.connect(str(file), timeout=10)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA quick_check(20)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: the database is damaged ({exc}); restore a backup or move it away") from exc
    if problems != ["ok"]:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise StoreError(f"{path}: the database is damaged: PRAGMA quick_check says {problems[0]!r}{more}; "
                         f"restore a backup or move it away")


def kind_of(exc: BaseException) -> str | None:
    """Which passing trouble an SQLite error is (see TROUBLE), or None for any other error."""
    if not isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return None
    message = str(exc).lower()
    for kind, needles in TROUBLE:
        if any(needle in message for needle in needles):
            return kind
    return None


def trouble(path: str, exc: BaseException) -> bool:
    """Report `exc` once per episode when it is passing trouble with the database at `path` (True); False
    for any other error, which the caller handles as before."""
    kind = kind_of(exc)
    if kind is None:
        return False
    with _lock:
        known = _episodes.get(path)
        _episodes[path] = kind
    if known != kind:
        log.error("%s: %s (%s); checks and deliveries wait until it is writable again", path, kind, exc)
    return True


def healthy(path: str) -> None:
    """The database at `path` was written again: end its episode with one line."""
    if path not in _episodes:      # the common case: no lock taken
        return
    with _lock:
        kind = _episodes.pop(path, None)
    if kind is not None:
        log.warning("%s: the database is writable again (%s before); carrying on", path, kind)


def repair_blobs(store: Store) -> str | None:
    """Find rows that name a compression dictionary missing from the database (left by tosmon before
    2026-11 after a failed transaction) and say so in one line; unreadable page bodies are dropped (their
    snapshots keep no body), unreadable version texts stay and their document gets a new baseline at its
    next check. Returns the line, or None when every row is readable."""
    lost = store.blobs.unreadable()
    if not lost:
        return None
    bodies = lost.get("bodies", {})
    if bodies:
        methods = [f"zstd:{dict_id}" for dict_id in bodies]
        marks = ", ".join("?" * len(methods))
        with store.atomic():
            store.conn.execute(f"UPDATE snapshots SET body_hash = NULL WHERE body_hash IN "
                               f"(SELECT hash FROM bodies WHERE compression IN ({marks}))", methods)
            store.conn.execute(f"DELETE FROM bodies WHERE compression IN ({marks})", methods)
    texts = sum(lost.get("versions", {}).values())
    ids = sorted({dict_id for table in lost.values() for dict_id in table})
    line = (f"{store.path}: {sum(bodies.values())} page bodies and {texts} version texts name compression "
            f"dictionaries that are not in the database ({', '.join(map(str, ids))}): the bodies were dropped, "
            f"the texts cannot be read (a document whose latest version is one gets a new baseline)")
    log.warning("%s", line)
    return line


def startup(path: str) -> None:
    """What the daemon does on the database before its first round: report (and clear) unreadable rows."""
    from monitor.store import Store

    store = Store(path)
    try:
        repair_blobs(store)
    finally:
        store.close()
