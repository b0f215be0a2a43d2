"""The only SQL in tosmon: a `Store` over one SQLite file, taking and returning models types.

One document check is one `with store.atomic():` block: snapshot, version, change, clauses, flags and outbox
rows commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from monitor.errors import ConfigError, NotFound, StoreError
from monitor.models import (
    Category,
    Change,
    ClauseChange,
    ClauseDiff,
    ClauseKind,
    DateRole,
    Delivery,
    DeliveryStatus,
    Document,
    DocumentState,
    Event,
    Flag,
    FlagDate,
    FollowedState,
    LinkChange,
    SearchHit,
    SnapshotInfo,
    VersionInfo,
)
from monitor.store import baselines
from monitor.store.connection import Connection
from monitor.store.query import Term, parse_query, plain
from monitor.timeutil import from_iso, iso_z

__all__ = ["ChangeFilter", "Store", "text_hash"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeFilter:
    """Filters of `tosmon log`."""

    document: str | None = None
    service: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    flagged: bool = False
    category: str | None = None
    limit: int | None = None


def _ts(value: datetime | None) -> str | None:
    return iso_z(value) if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def text_hash(text: str | bytes) -> str:
    """sha256 of a version's text (given as its UTF-8 bytes when the caller has them: encoding a page's text
    costs as much as hashing it)."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


class Store(Connection):
    """A tosmon database. Opening it creates or migrates the schema; a newer schema is refused."""

    def install_id(self) -> str:
        """The random UUID that identifies this database (made once, by migration m007)."""
        row = self._one("SELECT value FROM meta WHERE key = 'install_id'")
        assert row is not None, "migration m007_cli_install_meta inserts it"
        return str(row["value"])

    # --- documents -------------------------------------------------------------------------------------

    def sync_documents(self, documents: Iterable[Document], *, now: datetime) -> None:
        """Insert or update the watchlist's documents; those no longer listed become inactive."""
        seen = []
        with self.atomic():
            for doc in documents:
                seen.append(doc.id)
                config = json.dumps({"urls": list(doc.urls), **doc.extraction_config(),
                                     "interval": doc.interval.total_seconds(), "render": doc.render},
                                    sort_keys=True)
                self.conn.execute(
                    """INSERT INTO documents (id, service, service_name, name, url, config, language, active,
                                              next_due_at, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                       ON CONFLICT(id) DO UPDATE SET service_name = excluded.service_name,
                           url = excluded.url, config = excluded.config, language = excluded.language,
                           active = 1""",
                    [doc.id, doc.service, doc.service_name, doc.name, doc.url, config, doc.language,
                     _ts(now), _ts(now)],
                )
            placeholders = ",".join("?" * len(seen))
            self.conn.execute(f"UPDATE documents SET active = 0 WHERE id NOT IN ({placeholders})", seen)

    def ensure_document(self, *, id: str, service_name: str, url: str, now: datetime) -> None:
        """Create a document row that is not (or not yet) in the watchlist, e.g. for a backfill."""
        service, _, name = id.partition("/")
        self.conn.execute(
            """INSERT OR IGNORE INTO documents (id, service, service_name, name, url, active, created_at)
               VALUES (?, ?, ?, ?, ?, 0, ?)""",
            [id, service, service_name, name, url, _ts(now)],
        )

    def document_state(self, document_id: str) -> DocumentState:
        row = self._one(
            """SELECT d.*, (SELECT count(*) FROM versions v WHERE v.document_id = d.id) AS n_versions,
                      (SELECT count(*) FROM changes c WHERE c.document_id = d.id) AS n_changes
               FROM documents d WHERE d.id = ?""", [document_id])
        if row is None:
            raise NotFound(f"no document {document_id!r}")
        return self._state(row)

    def document_states(self, *, include_inactive: bool = False) -> list[DocumentState]:
        where = "" if include_inactive else "WHERE d.active = 1"
        rows = self._all(
            f"""SELECT d.*, (SELECT count(*) FROM versions v WHERE v.document_id = d.id) AS n_versions,
                       (SELECT count(*) FROM changes c WHERE c.document_id = d.id) AS n_changes
                FROM documents d {where} ORDER BY d.id""")
        return [self._state(row) for row in rows]

    @staticmethod
    def _state(row: dict[str, Any]) -> DocumentState:
        return DocumentState(
            id=row["id"], service_name=row["service_name"], url=row["url"], active=bool(row["active"]),
            etag=row["etag"], last_modified=row["last_modified"],
            last_checked_at=_dt(row["last_checked_at"]), last_status=row["last_status"],
            consecutive_failures=row["consecutive_failures"], failing_since=_dt(row["failing_since"]),
            failing_alerted=bool(row["failing_alerted"]), next_due_at=_dt(row["next_due_at"]),
            versions=row["n_versions"], changes=row["n_changes"])

    def record_success(self, document_id: str, *, status: str, now: datetime, next_due_at: datetime,
                       etag: str | None, last_modified: str | None) -> None:
        self.conn.execute(
            """UPDATE documents SET last_checked_at = ?, last_status = ?, last_error = NULL,
                   consecutive_failures = 0, failing_since = NULL, failing_alerted = 0, next_due_at = ?,
                   etag = ?, last_modified = ? WHERE id = ?""",
            [_ts(now), status, _ts(next_due_at), etag, last_modified, document_id])

    def record_failure(self, document_id: str, *, error: str, now: datetime, next_due_at: datetime) -> None:
        self.conn.execute(
            """UPDATE documents SET last_checked_at = ?, last_status = 'error', last_error = ?,
                   consecutive_failures = consecutive_failures + 1,
                   failing_since = coalesce(failing_since, ?), next_due_at = ? WHERE id = ?""",
            [_ts(now), error, _ts(now), _ts(next_due_at), document_id])

    def mark_failing_alerted(self, document_id: str) -> None:
        self.conn.execute("UPDATE documents SET failing_alerted = 1 WHERE id = ?", [document_id])

    def last_error(self, document_id: str) -> str | None:
        row = self._one("SELECT last_error FROM documents WHERE id = ?", [document_id])
        return row["last_error"] if row else None

    def set_next_due(self, document_id: str, next_due_at: datetime) -> None:
        self.conn.execute("UPDATE documents SET next_due_at = ? WHERE id = ?", [_ts(next_due_at), document_id])

    # --- snapshots -------------------------------------------------------------------------------------

    def add_snapshot(self, document_id: str, *, url: str, fetched_at: datetime, outcome: str,
                     status_code: int | None = None, duration: float | None = None, error: str | None = None,
                     content_type: str | None = None, body: bytes | None = None,
                     text_hash: str | None = None, keep_body: bool = True, final_url: str | None = None) -> int:
        """Record one fetch; the body is stored compressed, once per distinct sha256. Without `keep_body`
        a body not stored yet is not kept (the snapshot then has no body hash), a stored one is referred to."""
        body_hash = None
        if body is not None:
            body_hash = hashlib.sha256(body).hexdigest()
            if self.conn.execute("SELECT 1 FROM bodies WHERE hash = ?", [body_hash]).fetchone() is None:
                if keep_body:
                    method, data = self.blobs.pack("body", body)
                    self.conn.execute("INSERT INTO bodies (hash, size, compression, data) VALUES (?, ?, ?, ?)",
                                      [body_hash, len(body), method, data])
                else:
                    body_hash = None
        cursor = self.conn.execute(
            """INSERT INTO snapshots (document_id, url, fetched_at, duration_ms, status_code, outcome, error,
                                      content_type, body_hash, bytes, text_hash, final_url)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [document_id, url, _ts(fetched_at), None if duration is None else round(duration * 1000),
             status_code, outcome, error, content_type, body_hash, None if body is None else len(body),
             text_hash, final_url])
        return int(cursor.lastrowid or 0)

    def last_snapshot(self, document_id: str) -> SnapshotInfo | None:
        """The latest fetch of a document."""
        row = self._one("""SELECT id, outcome, error, text_hash, body_hash, fetched_at FROM snapshots
                            WHERE document_id = ? ORDER BY id DESC LIMIT 1""", [document_id])
        if row is None:
            return None
        return SnapshotInfo(id=row["id"], outcome=row["outcome"], error=row["error"], text_hash=row["text_hash"],
                            body_hash=row["body_hash"], fetched_at=from_iso(row["fetched_at"]))

    def final_urls(self, document_id: str) -> tuple[str | None, dict[int, str]]:
        """Where fetches of a document ended after redirects: (the latest fetch's final URL, {version
        number: the final URL of the fetch it was made from})."""
        last = self.conn.execute("""SELECT final_url FROM snapshots WHERE document_id = ? AND final_url IS NOT NULL
                                    ORDER BY id DESC LIMIT 1""", [document_id]).fetchone()
        rows = self.conn.execute("""SELECT v.number, s.final_url FROM versions v JOIN snapshots s
                                    ON s.id = v.snapshot_id WHERE v.document_id = ? AND s.final_url IS NOT NULL""",
                                 [document_id]).fetchall()
        return (last[0] if last else None), {int(number): str(url) for number, url in rows}

    def snapshot_body(self, snapshot_id: int) -> bytes | None:
        row = self._one("""SELECT b.compression, b.data FROM snapshots s JOIN bodies b ON b.hash = s.body_hash
                           WHERE s.id = ?""", [snapshot_id])
        return self.blobs.unpack(row["compression"], row["data"]) if row else None

    def snapshot_content_type(self, snapshot_id: int) -> str:
        """The media type a fetch was answered with ("" when unknown)."""
        row = self._one("SELECT content_type FROM snapshots WHERE id = ?", [snapshot_id])
        return (row["content_type"] or "") if row else ""

    # --- versions --------------------------------------------------------------------------------------

    def latest_version(self, document_id: str) -> VersionInfo | None:
        row = self._one("""SELECT * FROM versions WHERE document_id = ? ORDER BY number DESC LIMIT 1""",
                        [document_id])
        return self._version(row) if row else None

    def versions(self, document_id: str) -> list[VersionInfo]:
        rows = self._all("SELECT * FROM versions WHERE document_id = ? ORDER BY number", [document_id])
        return [self._version(row) for row in rows]

    @staticmethod
    def _version(row: dict[str, Any]) -> VersionInfo:
        return VersionInfo(document_id=row["document_id"], number=row["number"],
                           created_at=from_iso(row["created_at"]), text_hash=row["text_hash"],
                           extractor=row["extractor"], technical=bool(row["technical"]),
                           snapshot_id=row["snapshot_id"], clauses=row["clauses"])

    def version_text(self, document_id: str, number: int) -> str:
        row = self._one("SELECT compression, text FROM versions WHERE document_id = ? AND number = ?",
                        [document_id, number])
        if row is None:
            raise NotFound(f"no version {number} of {document_id!r}")
        return self.blobs.unpack(row["compression"], row["text"]).decode("utf-8")

    def add_version(self, document_id: str, *, text: str, created_at: datetime, extractor: str,
                    snapshot_id: int | None = None, technical: bool = False,
                    links: Sequence[tuple[str, str]] | None = None, utf8: bytes | None = None,
                    digest: str | None = None) -> int:
        """Store a new version; returns its number (1 for the first). `links`: the (text, target) links
        inside its text (None: not known); `utf8` and `digest`: the text's UTF-8 bytes and `text_hash`, when
        the caller has them."""
        row = self._one("SELECT coalesce(max(number), 0) AS n FROM versions WHERE document_id = ?",
                        [document_id])
        number = int(row["n"] if row else 0) + 1
        clauses = text.count("\n") + 1 if text else 0
        utf8 = text.encode("utf-8") if utf8 is None else utf8
        method, data = self.blobs.pack("text", utf8)
        cursor = self.conn.execute(
            """INSERT INTO versions (document_id, number, snapshot_id, created_at, text_hash, compression, text,
                                     clauses, extractor, technical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [document_id, number, snapshot_id, _ts(created_at), digest or text_hash(utf8), method, data, clauses,
             extractor, int(technical)])
        if links is not None:
            self.set_version_links(document_id, number, links)
        if number == 1 or technical:  # later versions are searchable through their changed clauses
            baselines.queue(self, int(cursor.lastrowid or 0))
        return number

    def version_links(self, document_id: str, number: int) -> list[tuple[str, str]] | None:
        """The (text, target) links inside a version's text; None when they were not recorded."""
        row = self._one("SELECT links FROM versions WHERE document_id = ? AND number = ?", [document_id, number])
        if row is None or row["links"] is None:
            return None
        try:
            pairs = json.loads(zlib.decompress(row["links"]))
        except (zlib.error, ValueError) as exc:
            raise StoreError(f"version {number} of {document_id!r}: unreadable links ({exc})") from exc
        return [(str(text), str(target)) for text, target in pairs]

    def set_version_links(self, document_id: str, number: int, links: Sequence[tuple[str, str]]) -> None:
        """Record the links inside a version's text (zlib-compressed JSON)."""
        data = zlib.compress(json.dumps([list(pair) for pair in links], ensure_ascii=False).encode("utf-8"))
        self.conn.execute("UPDATE versions SET links = ? WHERE document_id = ? AND number = ?",
                          [data, document_id, number])

    # --- followed repositories (ota: documents) ---------------------------------------------------------

    def followed_state(self, document_id: str) -> FollowedState | None:
        row = self._one("SELECT * FROM ota_sources WHERE document_id = ?", [document_id])
        return self._followed(row) if row else None

    def followed_states(self) -> dict[str, FollowedState]:
        return {row["document_id"]: self._followed(row) for row in self._all("SELECT * FROM ota_sources")}

    @staticmethod
    def _followed(row: dict[str, Any]) -> FollowedState:
        return FollowedState(document_id=row["document_id"], repo=row["repo"], path=row["path"],
                             last_commit=row["last_commit"], last_commit_at=_dt(row["last_commit_at"]),
                             head=row["head"], checked_at=_dt(row["checked_at"]))

    def record_followed(self, document_id: str, *, repo: str, path: str, now: datetime, head: str | None,
                        last_commit: str | None = None, last_commit_at: datetime | None = None) -> None:
        """Upsert what a check saw; another repo or path forgets what was seen of the old one. `head` is None
        after a failed check, so that the next check reads the history again."""
        self.conn.execute(
            """INSERT INTO ota_sources (document_id, repo, path, last_commit, last_commit_at, head, checked_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (document_id) DO UPDATE SET
                   last_commit = CASE WHEN repo = excluded.repo AND path = excluded.path
                                      THEN coalesce(excluded.last_commit, last_commit) ELSE excluded.last_commit END,
                   last_commit_at = CASE WHEN repo = excluded.repo AND path = excluded.path
                                         THEN coalesce(excluded.last_commit_at, last_commit_at)
                                         ELSE excluded.last_commit_at END,
                   head = excluded.head,
                   repo = excluded.repo, path = excluded.path, checked_at = excluded.checked_at""",
            [document_id, repo, path, last_commit, _ts(last_commit_at), head, _ts(now)])

    def set_version_commit(self, document_id: str, number: int, sha: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO version_commits (document_id, number, sha) VALUES (?, ?, ?)",
                          [document_id, number, sha])

    def version_commits(self, document_id: str) -> dict[int, str]:
        """The commit each version came from (versions imported from git only)."""
        rows = self._all("SELECT number, sha FROM version_commits WHERE document_id = ?", [document_id])
        return {row["number"]: row["sha"] for row in rows}

    # --- changes ---------------------------------------------------------------------------------------

    def add_change(self, document_id: str, *, from_version: int, to_version: int, detected_at: datetime,
                   diff: ClauseDiff, flags: Sequence[Flag], links: Sequence[LinkChange] = ()) -> int:
        """Store a change with its clauses, flags and moved link targets; returns the change id."""
        cursor = self.conn.execute(
            """INSERT INTO changes (document_id, detected_at, from_version, to_version, added, removed,
                                    modified, flagged) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [document_id, _ts(detected_at), from_version, to_version, diff.added, diff.removed,
             diff.modified, int(bool(flags))])
        change_id = int(cursor.lastrowid or 0)
        self.conn.executemany(
            """INSERT INTO clauses (change_id, position, kind, old_text, new_text, old_index, new_index,
                                    segments) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [(change_id, position, str(c.kind), c.old, c.new, c.old_index, c.new_index,
              json.dumps(c.segments, ensure_ascii=False) if c.segments else None)
             for position, c in enumerate(diff.clauses)])
        self.conn.executemany(
            """INSERT INTO change_links (change_id, position, text, old_target, new_target, alert)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [(change_id, position, link.text, link.old, link.new, int(link.alert))
             for position, link in enumerate(links)])
        self._supersede(document_id, change_id, to_version, diff)
        for position, flag in enumerate(flags):
            cursor = self.conn.execute(
                """INSERT INTO flags (change_id, position, category, score, language, clause_kind, clause,
                                      evidence, opt_out, previous_dates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [change_id, position, str(flag.category), float(flag.score), flag.language,
                 str(flag.clause_kind), flag.clause, json.dumps(list(flag.evidence), ensure_ascii=False),
                 flag.opt_out, json.dumps([d.to_json() for d in flag.previous_dates], ensure_ascii=False)])
            flag_id = cursor.lastrowid
            self.conn.executemany(
                "INSERT INTO flag_dates (flag_id, text, date, role) VALUES (?, ?, ?, ?)",
                [(flag_id, d.text, d.date.isoformat(), str(d.role)) for d in flag.dates])
        return change_id

    def _supersede(self, document_id: str, change_id: int, to_version: int, diff: ClauseDiff) -> None:
        """Mark the document's living flags whose clause this change modified or removed (and which is not
        still in the new version elsewhere, word for word) as superseded by it."""
        gone = {c.old for c in diff.clauses if c.kind is not ClauseKind.ADDED and c.old is not None}
        if not gone:
            return
        rows = self._all(
            """SELECT f.id, f.clause FROM flags f JOIN changes c ON c.id = f.change_id
               WHERE c.document_id = ? AND f.superseded_by IS NULL AND f.clause_kind != 'removed'""",
            [document_id])
        candidates = [r for r in rows if r["clause"] in gone]
        if not candidates:
            return
        try:
            current = set(self.version_text(document_id, to_version).split("\n"))
        except NotFound:  # a change stored without its version text: its diff is all there is to go by
            current = set()
        self.conn.executemany("UPDATE flags SET superseded_by = ? WHERE id = ?",
                              [(change_id, r["id"]) for r in candidates if r["clause"] not in current])

    def get_change(self, change_id: int, *, with_clauses: bool = True) -> Change:
        changes = self._changes("WHERE c.id = ?", [change_id], with_clauses=with_clauses)
        if not changes:
            raise NotFound(f"no change #{change_id}")
        return changes[0]

    def list_changes(self, filters: ChangeFilter = ChangeFilter(), *, with_clauses: bool = False) -> list[Change]:
        """Changes newest first, filtered (their clause diffs only when asked)."""
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if filters.document:
            where.append("c.document_id = ?")
            params.append(filters.document)
        if filters.service:
            where.append("(d.service = ? OR lower(d.service_name) = lower(?))")
            params += [filters.service, filters.service]
        if filters.since:
            where.append("c.detected_at >= ?")
            params.append(iso_z(filters.since))
        if filters.until:
            where.append("c.detected_at <= ?")
            params.append(iso_z(filters.until))
        if filters.flagged:
            where.append("c.flagged = 1")
        if filters.category:
            where.append("EXISTS (SELECT 1 FROM flags f WHERE f.change_id = c.id AND f.category = ?)")
            params.append(filters.category)
        sql = "WHERE " + " AND ".join(where) + " ORDER BY c.detected_at DESC, c.id DESC"
        if filters.limit:
            sql += f" LIMIT {int(filters.limit)}"
        return self._changes(sql, params, with_clauses=with_clauses)

    def _changes(self, where_sql: str, params: Sequence[Any], *, with_clauses: bool) -> list[Change]:
        rows = self._all(
            f"""SELECT c.*, d.service_name, d.url FROM changes c JOIN documents d ON d.id = c.document_id
                {where_sql}""", params)
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        flags = self._flags(ids)
        clauses = self._clauses(ids) if with_clauses else {}
        links = self._links(ids)
        return [
            Change(id=row["id"], document_id=row["document_id"], service_name=row["service_name"],
                   url=row["url"], detected_at=from_iso(row["detected_at"]),
                   from_version=row["from_version"], to_version=row["to_version"], added=row["added"],
                   removed=row["removed"], modified=row["modified"], flags=tuple(flags.get(row["id"], ())),
                   clauses=tuple(clauses.get(row["id"], ())), links=tuple(links.get(row["id"], ())))
            for row in rows
        ]

    def _links(self, change_ids: Sequence[int]) -> dict[int, list[LinkChange]]:
        marks = ",".join("?" * len(change_ids))
        out: dict[int, list[LinkChange]] = {}
        for r in self._all(f"SELECT * FROM change_links WHERE change_id IN ({marks}) ORDER BY change_id, position",
                           change_ids):
            out.setdefault(r["change_id"], []).append(LinkChange(
                text=r["text"], old=r["old_target"], new=r["new_target"], alert=bool(r["alert"])))
        return out

    def _flags(self, change_ids: Sequence[int]) -> dict[int, list[Flag]]:
        marks = ",".join("?" * len(change_ids))
        rows = self._all(f"SELECT * FROM flags WHERE change_id IN ({marks}) ORDER BY change_id, position",
                         change_ids)
        dates: dict[int, list[FlagDate]] = {}
        if rows:
            flag_marks = ",".join("?" * len(rows))
            for d in self._all(f"SELECT * FROM flag_dates WHERE flag_id IN ({flag_marks}) ORDER BY id",
                               [r["id"] for r in rows]):
                dates.setdefault(d["flag_id"], []).append(
                    FlagDate(text=d["text"], date=date.fromisoformat(d["date"]), role=DateRole(d["role"])))
        out: dict[int, list[Flag]] = {}
        for r in rows:
            out.setdefault(r["change_id"], []).append(Flag(
                category=Category(r["category"]), score=r["score"], clause=r["clause"], language=r["language"],
                clause_kind=ClauseKind(r["clause_kind"]), evidence=tuple(json.loads(r["evidence"])),
                dates=tuple(dates.get(r["id"], ())), opt_out=r["opt_out"],
                previous_dates=tuple(FlagDate(text=d["text"], date=date.fromisoformat(d["date"]),
                                              role=DateRole(d["role"])) for d in json.loads(r["previous_dates"])),
                superseded_by=r["superseded_by"]))
        return out

    def _clauses(self, change_ids: Sequence[int]) -> dict[int, list[ClauseChange]]:
        marks = ",".join("?" * len(change_ids))
        out: dict[int, list[ClauseChange]] = {}
        for r in self._all(f"SELECT * FROM clauses WHERE change_id IN ({marks}) ORDER BY change_id, position",
                           change_ids):
            segments = tuple((int(op), text) for op, text in json.loads(r["segments"])) if r["segments"] else ()
            out.setdefault(r["change_id"], []).append(ClauseChange(
                kind=ClauseKind(r["kind"]), old=r["old_text"], new=r["new_text"], old_index=r["old_index"],
                new_index=r["new_index"], segments=segments))
        return out

    def flagged(self, *, category: str | None = None) -> list[tuple[Change, Flag]]:
        """Every stored flag with its change, newest change first."""
        changes = self.list_changes(ChangeFilter(flagged=True, category=category))
        return [(change, flag) for change in changes for flag in change.flags
                if category is None or flag.category == category]

    def current_flags(self, *, category: str | None = None) -> list[tuple[Change, Flag]]:
        """The living flags, with their change, newest change first (the shape of `flagged()`): flags that no
        later change superseded and whose clause is still, word for word, in its document's latest version.
        A flag on a removed clause is never current. Their dates are those of the clause as it reads now."""
        pairs = [(change, flag) for change, flag in self.flagged(category=category)
                 if flag.superseded_by is None and flag.clause_kind is not ClauseKind.REMOVED]
        lines: dict[str, set[str]] = {}
        out = []
        for change, flag in pairs:
            if change.document_id not in lines:
                latest = self.latest_version(change.document_id)
                lines[change.document_id] = (set(self.version_text(change.document_id, latest.number).split("\n"))
                                             if latest else set())
            if flag.clause in lines[change.document_id]:
                out.append((change, flag))
        return out

    # --- reminders --------------------------------------------------------------------------------------

    def has_flag_dates(self, *, after: date, until: date) -> bool:
        """Whether any flag has a date in (after, until]."""
        return self._one("SELECT 1 AS x FROM flag_dates WHERE date > ? AND date <= ? LIMIT 1",
                         [after.isoformat(), until.isoformat()]) is not None

    def add_reminder(self, key: str, *, document_id: str, change_id: int, day: date, lead_days: int,
                     now: datetime) -> bool:
        """Record a reminder about to be queued; False when it was recorded before (then queue nothing)."""
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO reminders (key, document_id, change_id, date, lead_days, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""", [key, document_id, change_id, day.isoformat(), lead_days, _ts(now)])
        return cursor.rowcount == 1

    # --- search ---------------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Clauses matching a query (plain words match all of them), newest first. Any string is either a
        query or a ConfigError (nothing to search for); the user's text never reaches FTS5 unquoted."""
        parsed = parse_query(query)
        hits: list[SearchHit] = []
        try:
            clause_rows = self._all(
                """SELECT cl.kind, cl.old_text, cl.new_text, c.id AS change_id, c.document_id, c.to_version,
                          c.detected_at FROM clause_fts JOIN clauses cl ON cl.id = clause_fts.rowid
                          JOIN changes c ON c.id = cl.change_id
                   WHERE clause_fts MATCH ? ORDER BY c.detected_at DESC, c.id DESC, cl.position LIMIT ?""",
                [parsed.fts(), limit])
        except sqlite3.OperationalError as exc:  # e.g. a query too long for FTS5
            raise ConfigError(f"cannot search for {query[:60]!r}: {exc}", key="search") from None
        for r in clause_rows:
            text = r["new_text"] if r["kind"] != "removed" else r["old_text"]
            hits.append(SearchHit(document_id=r["document_id"], version=r["to_version"],
                                  at=from_iso(r["detected_at"]), kind=r["kind"], text=text or "",
                                  change_id=r["change_id"]))
        # The baseline index keeps no positions (detail=column: a tenth of the size), so it finds candidate
        # versions by their words and the query is applied to each line here. It is brought up to date first.
        indexed = baselines.index_before_search(self)
        columns = "v.id, v.document_id, v.number, v.created_at, v.compression, v.text"
        sql = f"""SELECT {columns} FROM version_fts JOIN versions v ON v.id = version_fts.rowid
                  WHERE version_fts MATCH ? ORDER BY v.created_at DESC, v.id DESC LIMIT ?"""
        candidates = " OR ".join(Term((w,)).fts() for w in parsed.words)
        try:
            rows = self._all(sql, [candidates, limit])
        except sqlite3.OperationalError:
            # A word FTS5 splits where Python does not (a letter newer than its Unicode tables) would be a
            # phrase, which this index cannot answer: read every baseline instead.
            rows = self._all(f"""SELECT {columns} FROM version_fts JOIN versions v ON v.id = version_fts.rowid
                                 ORDER BY v.created_at DESC, v.id DESC""")
        if not indexed:     # a database that cannot be written: the baselines waiting are read too
            rows += self._all(f"SELECT {columns} FROM baselines_to_index q JOIN versions v ON v.id = q.version_id")
            rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
        for r in rows:
            for line in self.blobs.unpack(r["compression"], r["text"]).decode("utf-8").split("\n"):
                if len(hits) >= limit:
                    return hits
                if parsed.matches(plain(line)):
                    hits.append(SearchHit(document_id=r["document_id"], version=r["number"],
                                          at=from_iso(r["created_at"]), kind="version", text=line))
        return hits[:limit]

    # --- deliveries (the outbox) -------------------------------------------------------------------------

    def add_delivery(self, *, webhook: str, event: Event, payload: dict[str, Any], now: datetime,
                     change_id: int | None = None, document_id: str | None = None) -> str:
        """Queue one delivery; the payload gets its delivery id and is frozen as JSON."""
        delivery_id = str(uuid.uuid4())
        body = {"event": str(event), "delivery_id": delivery_id, **payload}
        self.conn.execute(
            """INSERT INTO deliveries (id, webhook, event, change_id, document_id, payload, status, attempts,
                                       created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)""",
            [delivery_id, webhook, str(event), change_id, document_id,
             json.dumps(body, ensure_ascii=False, separators=(",", ":")), _ts(now), _ts(now)])
        return delivery_id

    def due_deliveries(self, *, now: datetime, limit: int = 100, target: str | None = None) -> list[Delivery]:
        """Pending deliveries due by `now` (only to `target`, a webhook or channel name, when given)."""
        where = "" if target is None else "AND webhook = ?"
        rows = self._all(f"""SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? {where}
                             ORDER BY next_attempt_at, created_at LIMIT ?""",
                         [_ts(now), *([] if target is None else [target]), limit])
        return [self._delivery(r) for r in rows]

    def delivery_ids(self, prefixes: Sequence[str]) -> list[str]:
        """The full delivery ids for ids or unique id prefixes; NotFound names any unknown or ambiguous one."""
        found, problems = [], []
        for prefix in prefixes:
            like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self._all("SELECT id FROM deliveries WHERE id LIKE ? ESCAPE '\\' LIMIT 2", [like])
            if len(rows) == 1:
                found.append(rows[0]["id"])
            else:
                problems.append(f"{'no' if not rows else 'more than one'} delivery {prefix}")
        if problems:
            raise NotFound("; ".join(problems))
        return list(dict.fromkeys(found))

    def pending_targets(self) -> list[str]:
        """The webhooks and channels with pending deliveries, whatever their kind."""
        return [r["webhook"] for r in self._all(
            "SELECT DISTINCT webhook FROM deliveries WHERE status = 'pending' ORDER BY webhook")]

    def oldest_pending(self, target: str) -> Delivery | None:
        """The oldest pending delivery to `target` (due or not): the next one it must receive."""
        row = self._one("""SELECT * FROM deliveries WHERE status = 'pending' AND webhook = ?
                           ORDER BY created_at, rowid LIMIT 1""", [target])
        return self._delivery(row) if row else None

    # --- leases ----------------------------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, *, ttl: float) -> bool:
        """Take the lease `name` for `ttl` seconds unless another holder has it and it has not expired."""
        import time

        now = time.time()
        # one statement: a transaction of its own (or part of the caller's); no BEGIN/COMMIT round trips
        cursor = self.conn.execute(
            """INSERT INTO check_leases (name, holder, expires_at) VALUES (?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
               WHERE check_leases.expires_at <= ? OR check_leases.holder = excluded.holder""",
            [name, holder, now + ttl, now])
        return cursor.rowcount > 0

    def lease_holder(self, name: str) -> str | None:
        row = self._one("SELECT holder FROM check_leases WHERE name = ?", [name])
        return row["holder"] if row else None

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease back (only if `holder` still has it); one statement, a transaction of its own."""
        self.conn.execute("DELETE FROM check_leases WHERE name = ? AND holder = ?", [name, holder])

    def deliveries(self, *, status: str | None = None, ids: Sequence[str] | None = None,
                   limit: int | None = None) -> list[Delivery]:
        where, params = ["1 = 1"], []
        if status:
            where.append("status = ?")
            params.append(status)
        if ids:
            where.append(f"id IN ({','.join('?' * len(ids))})")
            params += list(ids)
        sql = f"SELECT * FROM deliveries WHERE {' AND '.join(where)} ORDER BY created_at DESC, rowid DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._delivery(r) for r in self._all(sql, params)]

    def update_delivery(self, delivery_id: str, *, status: DeliveryStatus, attempts: int,
                        next_attempt_at: datetime | None, last_error: str | None,
                        delivered_at: datetime | None = None, retry_from: datetime | None = None) -> None:
        """Record an attempt's outcome; `retry_from` (a manual requeue) restarts the give-up window."""
        self.conn.execute(
            """UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
                   delivered_at = ?, retry_from = coalesce(?, retry_from) WHERE id = ?""",
            [str(status), attempts, _ts(next_attempt_at), last_error, _ts(delivered_at), _ts(retry_from),
             delivery_id])

    @staticmethod
    def _delivery(r: dict[str, Any]) -> Delivery:
        return Delivery(id=r["id"], webhook=r["webhook"], event=Event(r["event"]),
                        status=DeliveryStatus(r["status"]), payload=r["payload"],
                        created_at=from_iso(r["created_at"]), attempts=r["attempts"],
                        next_attempt_at=_dt(r["next_attempt_at"]), last_error=r["last_error"],
                        delivered_at=_dt(r["delivered_at"]), change_id=r["change_id"],
                        document_id=r["document_id"], retry_from=_dt(r["retry_from"]))
