"""The search index of baselines (`version_fts`: each document's first version and technical versions, which
`search` reads line by line), brought up to date when it is read.

Storing a baseline queues it (`baselines_to_index`, in the same transaction); `index_queued` indexes what
waits, in one transaction, and `search` calls it first: so a search always sees every baseline, and a crash
loses none. Checks no longer tokenize whole pages inside their transactions: on the benchmark's 1,000 new
pages, indexing each page where it was stored cost 0.3 s of a 3.4 s `tosmon check` (its write lock held
meanwhile); indexing them all at once costs the first search about 0.2 s.
"""

from __future__ import annotations

import logging
import sqlite3
import zlib

import zstandard

from monitor.errors import StoreError
from monitor.store.connection import Connection

log = logging.getLogger(__name__)


def queue(conn: Connection, version_id: int) -> None:
    """Queue a new baseline for the index (inside the caller's transaction)."""
    conn.conn.execute("INSERT OR IGNORE INTO baselines_to_index (version_id) VALUES (?)", [version_id])


def index_queued(conn: Connection) -> int:
    """Index every queued baseline in one transaction; how many. A text that cannot be read is left out of
    the index (with a warning), never retried."""
    count = 0
    with conn.atomic():
        rows = conn.conn.execute("""SELECT v.id, v.compression, v.text FROM baselines_to_index q
                                    JOIN versions v ON v.id = q.version_id ORDER BY v.id""")
        for version_id, method, blob in rows:
            try:
                text = conn.blobs.unpack(method, blob).decode("utf-8")
            except (StoreError, zstandard.ZstdError, zlib.error, UnicodeDecodeError) as exc:
                log.warning("version row %d cannot be read for the search index: %s", version_id, exc)
                continue
            conn.conn.execute("INSERT INTO version_fts (rowid, text) VALUES (?, ?)", [version_id, text])
            count += 1
        conn.conn.execute("DELETE FROM baselines_to_index")
    if count:
        log.debug("indexed %d baselines for search", count)
    return count


def index_before_search(conn: Connection) -> bool:
    """Index what is queued before a search; False when the database cannot be written (read-only, full,
    locked): the search then reads the queued baselines directly."""
    try:
        index_queued(conn)
    except sqlite3.OperationalError as exc:
        log.warning("%s: cannot update the search index (%s); reading unindexed baselines directly", conn.path,
                    exc)
        return False
    return True
