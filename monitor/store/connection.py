"""One SQLite connection as tosmon opens it: WAL, foreign keys, the schema migrated (a newer one refused),
transactions that take the write lock at their start, and the compressed-blob codec of `monitor.store.blobs`."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.errors import StoreError
from monitor.imports import without
from monitor.store.blobs import Blobs
from monitor.store.schema import MIGRATION_NAMES, MIGRATION_SET

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000


class Connection:
    """The plumbing under `Store`: opening, migrations, transactions, row helpers."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = str(path)
        if not create and not Path(self.path).exists():
            raise StoreError(f"{self.path}: no such database (run `tosmon check` or `tosmon run` first)")
        if create:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self.path}: cannot create its folder: {exc.strerror or exc}") from exc
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False,
                                        isolation_level=None)  # autocommit; atomic() opens transactions
            self._db: Database | None = None
            self._savepoints = itertools.count()
            self.blobs = Blobs(self.conn, self.atomic)
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open database: {exc}") from exc

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the connection, for migrations (imported only when one is pending)."""
        if self._db is None:
            with without("numpy", "pandas"):  # only for their types: 20 MB
                from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def _migrate(self) -> None:
        """Apply pending migrations; refuse a database that has migrations this code does not know."""
        try:
            applied = {row[0] for row in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET])}
        except sqlite3.OperationalError:
            applied = set()
        unknown = applied - set(MIGRATION_NAMES)
        if unknown:
            raise StoreError(f"{self.path}: the database schema is newer than this tosmon "
                             f"(unknown migrations: {', '.join(sorted(unknown))}); upgrade tosmon")
        if applied != set(MIGRATION_NAMES):
            db = self.db                 # first: it imports sqlite-utils, which the migrations module needs
            from monitor.store.migrations import migrations

            migrations.apply(db)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction (a savepoint when nested): everything inside commits together or not at all.
        The same logic as sqlite-utils' Database.atomic(), on the plain connection, so that writers do not
        pay sqlite-utils' import (0.3 s with the numpy it pulls in) on every command."""
        if self.conn.in_transaction:
            name = f"tosmon_{next(self._savepoints)}"
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                self.blobs.forget()          # what was learnt inside may be gone with it
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        self.conn.execute("BEGIN IMMEDIATE")  # the write lock now: no read snapshot to go stale before a write
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:   # a full disk, an I/O error: SQLite may already have rolled back
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Roll the transaction back (when SQLite has not already) and drop the in-memory state it may have
        created (compression dictionaries), so that nothing refers to rows that were never committed."""
        self.blobs.forget()
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.OperationalError:   # "no transaction is active": SQLite rolled back on its own
                pass

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        cursor = self.conn.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
