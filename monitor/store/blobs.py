"""How the big columns are compressed: raw page bodies (`bodies.data`) and version texts (`versions.text`).

zstd at `LEVELS[kind]`, with one dictionary per kind trained on the database's own first `TRAIN_AFTER` blobs of
that kind (kept in `dictionaries`). Terms pages share most of their markup and much of their phrasing, and a
single page is too short for a compressor to learn that on its own: on the benchmark's 1,100 pages the
dictionary stores bodies 13.8x smaller than the raw bytes (zlib level 6, used before: 7.0x) and version texts
12.2x (zlib: 9.3x) in about 30% less CPU (level 9: 16.7x and 14.7x for 60% more CPU).

Every row names its method in its `compression` column: `zlib` (databases written before zstd), `zstd`, or
`zstd:<dictionary id>`. Blobs stored before their kind had a dictionary are recompressed with it when it is
trained; older `zlib` rows are read as they are.

A dictionary exists for this code only once its transaction has committed: the ids and codecs kept in memory
are a cache of the `dictionaries` table, dropped whenever a transaction of the connection rolls back (or its
COMMIT fails, as on a full disk), and triggers (migration m007) refuse any row that names a dictionary the
database does not hold. `unreadable()` finds rows left unreadable by older versions of tosmon, which did not
follow these rules; training skips them and never reuses their ids.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import lru_cache

import zstandard

from monitor.errors import StoreError

log = logging.getLogger(__name__)

#: zstd level by kind. Bodies at 6: a body is only read back when extraction changes. Version texts at 3:
#: with the dictionary, a 70 KB text costs 0.08 ms instead of 0.37 ms at 6 and takes 6.3 KB instead of 5.5 KB
#: (on the benchmark's pages) — every new version pays the CPU, inside the check; the bytes are 7% of what
#: the database holds per version. Only compression depends on the level: every row reads the same way.
LEVELS = {"body": 6, "text": 3}
#: Blobs of a kind stored before its dictionary is trained (zstd needs a few dozen samples to learn from).
TRAIN_AFTER = 32
MAX_DICTIONARY_BYTES = 112_640          # zstd's default size; a tenth of the samples when they are smaller
MIN_DICTIONARY_BYTES = 1_024
# fastcover with fixed parameters: its own search of segment sizes picked a poor one for one sample set in
# four (12x instead of 16.7x on bench pages, at level 9) and takes 4x longer; a 2^16-entry frequency table (not 2^20)
# keeps training's peak at +5 MB instead of +14 MB for the same ratio.
TRAIN_SEGMENT = 2_000
TRAIN_LOG_FREQUENCIES = 16

#: kind -> (table, key column, data column)
KINDS: dict[str, tuple[str, str, str]] = {
    "body": ("bodies", "rowid", "data"),
    "text": ("versions", "id", "text"),
}


class _Codec:
    """The zstd decompressor and compressors (one per level, made when first used) of one dictionary, or of
    none, shared by every connection of the process (with a dictionary a compressor holds ~4 MB; the daemon
    has a connection per worker). zstd contexts are not thread-safe, hence the lock; zstd releases the GIL
    while it works."""

    def __init__(self, dictionary: bytes) -> None:
        self._dictionary = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        self._lock = threading.Lock()
        self._compressors: dict[int, zstandard.ZstdCompressor] = {}
        self._decompressor = zstandard.ZstdDecompressor(dict_data=self._dictionary)

    def compress(self, data: bytes, level: int) -> bytes:
        with self._lock:
            compressor = self._compressors.get(level)
            if compressor is None:
                compressor = self._compressors[level] = zstandard.ZstdCompressor(level=level,
                                                                                 dict_data=self._dictionary)
            return compressor.compress(data)

    def decompress(self, blob: bytes) -> bytes:
        with self._lock:
            return self._decompressor.decompress(blob)


@lru_cache(maxsize=8)
def _codec(dictionary: bytes) -> _Codec:
    """The process's codec for a dictionary (b"": none), by content: databases never share ids."""
    return _Codec(dictionary)


class Blobs:
    """Packs and unpacks the blobs of one connection; one per `Store`, like the connection.

    `atomic` is the store's transaction context; training runs inside it, and the store's transactions hold
    the write lock from their start (BEGIN IMMEDIATE), so two connections never both train a kind."""

    def __init__(self, conn: sqlite3.Connection, atomic: Callable[[], AbstractContextManager[None]]) -> None:
        self.conn = conn
        self.atomic = atomic
        self._active: dict[str, int] = {}                   # kind -> id of its dictionary
        self._codecs: dict[int, _Codec] = {0: _codec(b"")}  # dictionary id (0: none) -> codec
        self._untrainable: set[str] = set()                 # training failed once on this connection
        self._prepared: dict[tuple[str, bytes], tuple[str, bytes]] = {}

    def prepare(self, kind: str, data: bytes) -> None:
        """Compress a blob before the transaction that stores it, so that the write lock is not held (and the
        other check threads not kept waiting) while zstd works; `pack` of the same bytes then takes it."""
        if len(self._prepared) >= 4:                       # prepared for a write that did not happen
            self._prepared.clear()
        self._prepared[(kind, data)] = self.pack(kind, data)

    def pack(self, kind: str, data: bytes) -> tuple[str, bytes]:
        """(method, compressed bytes) for a new blob of `kind`; trains the kind's dictionary when due."""
        ready = self._prepared.pop((kind, data), None)
        if ready is not None:   # a dictionary trained since is fine: the row names the method it was made with
            return ready
        dict_id = self._active.get(kind) or self._find(kind) or self._maybe_train(kind)
        return (f"zstd:{dict_id}" if dict_id else "zstd"), self._get(dict_id).compress(data, LEVELS[kind])

    def forget(self) -> None:
        """Drop what this connection knows of dictionaries (their ids, codecs, blobs compressed ahead): called
        when one of its transactions rolls back, which may have removed a dictionary trained inside it."""
        self._active.clear()
        self._codecs = {0: self._codecs[0]}
        self._prepared.clear()

    def unpack(self, method: str, blob: bytes) -> bytes:
        """The original bytes of a blob stored with `method`."""
        if method == "zlib":
            return zlib.decompress(blob)
        if method == "zstd":
            return self._get(0).decompress(blob)
        if method.startswith("zstd:") and method[5:].isdigit():
            return self._get(int(method[5:])).decompress(blob)
        raise StoreError(f"unknown compression {method!r} in the database; upgrade tosmon")

    # --- dictionaries ------------------------------------------------------------------------------------

    def _find(self, kind: str) -> int:
        row = self.conn.execute("SELECT id FROM dictionaries WHERE kind = ? ORDER BY id DESC LIMIT 1",
                                [kind]).fetchone()
        if row:
            self._active[kind] = row[0]
        return row[0] if row else 0

    def _get(self, dict_id: int) -> _Codec:
        if dict_id not in self._codecs:
            row = self.conn.execute("SELECT data FROM dictionaries WHERE id = ?", [dict_id]).fetchone()
            if row is None:
                raise StoreError(f"compression dictionary {dict_id} is missing from the database")
            self._codecs[dict_id] = _codec(bytes(row[0]))
        return self._codecs[dict_id]

    def _maybe_train(self, kind: str) -> int:
        """Train the kind's dictionary once the database holds TRAIN_AFTER blobs of it; 0 when not (yet)."""
        if kind in self._untrainable:
            return 0
        table, key, column = KINDS[kind]
        count = self.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)",
                                  [TRAIN_AFTER]).fetchone()[0]
        if count < TRAIN_AFTER:
            return 0
        rows = self.conn.execute(f"SELECT compression, {column} FROM {table} ORDER BY {key} DESC LIMIT ?",
                                 [TRAIN_AFTER * 2]).fetchall()
        samples: list[bytes | bytearray | memoryview[int]] = []
        for method, blob in rows:   # rows that an older tosmon left unreadable are skipped (see unreadable())
            try:
                samples.append(self.unpack(method, blob))
            except (StoreError, zstandard.ZstdError, zlib.error):
                continue
            if len(samples) == TRAIN_AFTER:
                break
        if len(samples) < TRAIN_AFTER // 2:
            return 0
        size = max(MIN_DICTIONARY_BYTES, min(MAX_DICTIONARY_BYTES, sum(map(len, samples)) // 10))
        try:
            trained = zstandard.train_dictionary(size, samples, k=min(TRAIN_SEGMENT, size // 2), d=8,
                                                 f=TRAIN_LOG_FREQUENCIES)
        except zstandard.ZstdError as exc:   # samples too small or too alike to learn from: stay plain
            log.debug("no %s dictionary: %s", kind, exc)
            self._untrainable.add(kind)
            return 0
        with self.atomic():
            if self._find(kind):                           # another connection trained it first
                return self._active[kind]
            dict_id = int(self.conn.execute(       # above any id that unreadable rows name: never reused
                "INSERT INTO dictionaries (id, kind, samples, data) VALUES (?, ?, ?, ?)",
                [self._next_id(), kind, len(samples), trained.as_bytes()]).lastrowid or 0)
            self._recompress(kind, dict_id)
        # only now, once committed (a failed COMMIT raises above, and the rollback called forget())
        log.info("trained a %d-byte %s compression dictionary on %d samples", size, kind, len(samples))
        return dict_id

    def _next_id(self) -> int:
        """An id for a new dictionary: above every existing one and every one an unreadable row names."""
        named = [int(ref) for refs in self.unreadable().values() for ref in refs]
        highest = self.conn.execute("SELECT coalesce(max(id), 0) FROM dictionaries").fetchone()[0]
        return max([int(highest), *named]) + 1

    def unreadable(self) -> dict[str, dict[int, int]]:
        """{table: {missing dictionary id: rows}} for rows that name a dictionary the database lacks (left by
        tosmon before 2026-11, whose in-memory dictionary outlived a failed transaction). Scans both tables."""
        found: dict[str, dict[int, int]] = {}
        for table, _, _ in KINDS.values():
            rows = self.conn.execute(
                f"""SELECT compression, count(*) FROM {table} WHERE compression LIKE 'zstd:%'
                    AND CAST(substr(compression, 6) AS INTEGER) NOT IN (SELECT id FROM dictionaries)
                    GROUP BY compression""").fetchall()
            if rows:
                found[table] = {int(method[5:]): count for method, count in rows}
        return found

    def _recompress(self, kind: str, dict_id: int) -> None:
        """Rewrite the kind's plain-zstd blobs (stored before the dictionary) with it."""
        table, key, column = KINDS[kind]
        codec = self._get(dict_id)
        for row_key, blob in self.conn.execute(
                f"SELECT {key}, {column} FROM {table} WHERE compression = 'zstd'").fetchall():
            self.conn.execute(f"UPDATE {table} SET compression = ?, {column} = ? WHERE {key} = ?",
                              [f"zstd:{dict_id}", codec.compress(self.unpack("zstd", blob), LEVELS[kind]),
                               row_key])
