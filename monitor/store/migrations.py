"""The database schema, as an ordered set of migrations applied on open. Never edit an applied migration."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from monitor.store.schema import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_initial(db: Database) -> None:
    """Documents, snapshots (raw bodies once per hash), versions, changes, clauses, flags, the outbox."""
    db.executescript(
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,               -- "service/document"
            service TEXT NOT NULL,
            service_name TEXT NOT NULL,
            name TEXT NOT NULL,
            url TEXT NOT NULL,
            config TEXT NOT NULL DEFAULT '{}', -- JSON of the watchlist entry
            language TEXT,
            active INTEGER NOT NULL DEFAULT 1, -- 0 once it left the watchlist
            etag TEXT,
            last_modified TEXT,
            last_checked_at TEXT,
            last_status TEXT,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            failing_since TEXT,
            failing_alerted INTEGER NOT NULL DEFAULT 0,
            next_due_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE bodies (
            hash TEXT PRIMARY KEY,             -- sha256 of the raw body
            size INTEGER NOT NULL,
            compression TEXT NOT NULL,         -- "zlib"
            data BLOB NOT NULL
        );
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id),
            url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            duration_ms INTEGER,
            status_code INTEGER,
            outcome TEXT NOT NULL,             -- ok | not_modified | error | suspect
            error TEXT,
            content_type TEXT,
            body_hash TEXT REFERENCES bodies(hash),
            bytes INTEGER
        );
        CREATE INDEX snapshots_document ON snapshots(document_id, id);
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id),
            number INTEGER NOT NULL,           -- 1, 2, 3 ... per document
            snapshot_id INTEGER REFERENCES snapshots(id),
            created_at TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            text BLOB NOT NULL,                -- zlib-compressed UTF-8, one clause per line
            clauses INTEGER NOT NULL,
            extractor TEXT NOT NULL,
            technical INTEGER NOT NULL DEFAULT 0,
            UNIQUE (document_id, number)
        );
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id),
            detected_at TEXT NOT NULL,
            from_version INTEGER NOT NULL,
            to_version INTEGER NOT NULL,
            added INTEGER NOT NULL,
            removed INTEGER NOT NULL,
            modified INTEGER NOT NULL,
            flagged INTEGER NOT NULL DEFAULT 0,
            UNIQUE (document_id, to_version)
        );
        CREATE INDEX changes_detected ON changes(detected_at);
        CREATE TABLE clauses (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id),
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,                -- added | removed | modified
            old_text TEXT,
            new_text TEXT,
            old_index INTEGER,
            new_index INTEGER,
            segments TEXT                      -- JSON [[op, text], ...] for modified clauses
        );
        CREATE INDEX clauses_change ON clauses(change_id, position);
        CREATE TABLE flags (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES changes(id),
            position INTEGER NOT NULL,
            category TEXT NOT NULL,
            score REAL NOT NULL,
            language TEXT,
            clause_kind TEXT NOT NULL,
            clause TEXT NOT NULL,
            evidence TEXT NOT NULL DEFAULT '[]',
            opt_out TEXT
        );
        CREATE INDEX flags_change ON flags(change_id);
        CREATE INDEX flags_category ON flags(category);
        CREATE TABLE flag_dates (
            id INTEGER PRIMARY KEY,
            flag_id INTEGER NOT NULL REFERENCES flags(id),
            text TEXT NOT NULL,
            date TEXT NOT NULL,
            role TEXT NOT NULL
        );
        CREATE INDEX flag_dates_flag ON flag_dates(flag_id);
        CREATE INDEX flag_dates_date ON flag_dates(date);
        CREATE TABLE deliveries (
            id TEXT PRIMARY KEY,               -- delivery id, the same across retries
            webhook TEXT NOT NULL,
            event TEXT NOT NULL,
            change_id INTEGER REFERENCES changes(id),
            document_id TEXT REFERENCES documents(id),
            payload TEXT NOT NULL,             -- the JSON body, frozen when written
            status TEXT NOT NULL,              -- pending | delivered | failed
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT,
            last_error TEXT,
            delivered_at TEXT
        );
        CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
        CREATE VIEW change_log AS
            SELECT changes.id, changes.detected_at, changes.document_id, documents.service_name,
                   documents.url, changes.from_version, changes.to_version, changes.added, changes.removed,
                   changes.modified,
                   (SELECT group_concat(DISTINCT category) FROM flags WHERE flags.change_id = changes.id)
                       AS categories
            FROM changes JOIN documents ON documents.id = changes.document_id;
        """
    )


@migrations()
def m002_search(db: Database) -> None:
    """Full-text search: every clause that changed, and each document's baseline versions (contentless, so
    the text is not stored twice)."""
    db.executescript(
        """
        CREATE VIRTUAL TABLE clause_fts USING fts5(
            old_text, new_text, content='clauses', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER clauses_fts_insert AFTER INSERT ON clauses BEGIN
            INSERT INTO clause_fts (rowid, old_text, new_text) VALUES (new.id, new.old_text, new.new_text);
        END;
        CREATE VIRTUAL TABLE version_fts USING fts5(
            text, content='', tokenize='unicode61 remove_diacritics 2');
        """
    )


@migrations()
def m003_snapshot_text_hash(db: Database) -> None:
    """Remember the extracted text's hash on suspect snapshots, so a shrink seen twice is accepted."""
    db.execute("ALTER TABLE snapshots ADD COLUMN text_hash TEXT")


@migrations()
def m004_delivery_retry_from(db: Database) -> None:
    """A delivery requeued by `tosmon alerts retry` gets a fresh give-up window, counted from then."""
    db.execute("ALTER TABLE deliveries ADD COLUMN retry_from TEXT")


@migrations()
def m005_lean_version_index(db: Database) -> None:
    """Rebuild the baseline index without token positions (detail=column): about a tenth of the size; the
    store checks phrases line by line."""
    import zlib

    db.executescript(
        """
        DROP TABLE version_fts;
        CREATE VIRTUAL TABLE version_fts USING fts5(
            text, content='', detail=column, tokenize='unicode61 remove_diacritics 2');
        """
    )
    for row_id, text in db.execute(
            """SELECT id, text FROM versions v WHERE technical = 1
               OR number = (SELECT min(number) FROM versions w WHERE w.document_id = v.document_id)"""):
        db.execute("INSERT INTO version_fts (rowid, text) VALUES (?, ?)",
                   [row_id, zlib.decompress(text).decode("utf-8")])


@migrations()
def m006_zstd_dictionaries(db: Database) -> None:
    """zstd with trained dictionaries for bodies and version texts (monitor.store.blobs); rows written before
    keep their zlib and say so."""
    db.executescript(
        """
        CREATE TABLE dictionaries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                -- body | text
            samples INTEGER NOT NULL,          -- how many blobs it was trained on
            data BLOB NOT NULL                 -- a zstd dictionary
        );
        ALTER TABLE versions ADD COLUMN compression TEXT NOT NULL DEFAULT 'zlib';
        """
    )


@migrations()
def m007_cli_install_meta(db: Database) -> None:
    """A `meta` table of key/value facts about this database; `install_id`, a random UUID made once, keeps
    the Atom feed's ids unique to this install."""
    import uuid

    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta (key, value) VALUES ('install_id', ?)", [str(uuid.uuid4())])


@migrations()
def m008_channels_reminders(db: Database) -> None:
    """Deadline reminders sent, one row per (document, clause, date, lead time), so that each is queued once
    across restarts. (Channel deliveries need no column: `deliveries.webhook` names the target, webhook or
    channel, whose names are unique across both.)"""
    db.executescript(
        """
        CREATE TABLE reminders (
            key TEXT PRIMARY KEY,              -- document|sha256(clause)[:16]|date|lead days
            document_id TEXT NOT NULL REFERENCES documents(id),
            change_id INTEGER NOT NULL REFERENCES changes(id),
            date TEXT NOT NULL,
            lead_days INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m009_check_leases(db: Database) -> None:
    """Leases: one process at a time checks a document (`doc:<id>`) or sends to a webhook or channel
    (`target:<name>`), so concurrent `check` and `run` store one version per distinct text and send once."""
    db.executescript(
        """
        CREATE TABLE check_leases (
            name TEXT PRIMARY KEY,             -- doc:<document id> | target:<webhook or channel name>
            holder TEXT NOT NULL,              -- <pid>:<thread>@<host>
            expires_at REAL NOT NULL           -- unix time; an expired lease may be taken over
        );
        CREATE INDEX deliveries_pending_by_target ON deliveries (webhook, created_at) WHERE status = 'pending';
        """
    )


@migrations()
def m010_living_flags(db: Database) -> None:
    """Living flags: a flag records the later change that modified or removed its clause (`superseded_by`)
    and, for a modified clause, its dates before the edit (`previous_dates`, JSON). Flags stored before are
    marked from the clause diffs already stored."""
    db.executescript(
        """
        ALTER TABLE flags ADD COLUMN superseded_by INTEGER REFERENCES changes(id);
        ALTER TABLE flags ADD COLUMN previous_dates TEXT NOT NULL DEFAULT '[]';
        UPDATE flags SET superseded_by = (
            SELECT later.id FROM changes own
            JOIN changes later ON later.document_id = own.document_id AND later.to_version > own.to_version
            JOIN clauses cl ON cl.change_id = later.id AND cl.kind IN ('modified', 'removed')
                           AND cl.old_text = flags.clause
            WHERE own.id = flags.change_id ORDER BY later.to_version LIMIT 1)
        WHERE clause_kind != 'removed';
        CREATE INDEX flags_live ON flags(superseded_by, category);
        """
    )


@migrations()
def m011_ota_sources(db: Database) -> None:
    """Documents followed in a git repository of versions: what was seen of the repository, and the commit
    each version came from (also for `backfill --git`)."""
    db.executescript(
        """
        CREATE TABLE ota_sources (
            document_id TEXT PRIMARY KEY REFERENCES documents(id),
            repo TEXT NOT NULL,                -- git URL or local path
            path TEXT NOT NULL,                -- the file in it
            last_commit TEXT,                  -- newest commit touching path that was read
            last_commit_at TEXT,               -- its commit date
            head TEXT,                         -- the repository's HEAD at the last successful check
            checked_at TEXT
        );
        CREATE TABLE version_commits (
            document_id TEXT NOT NULL REFERENCES documents(id),
            number INTEGER NOT NULL,           -- versions.number
            sha TEXT NOT NULL,
            PRIMARY KEY (document_id, number)
        );
        """
    )


@migrations()
def m012_hostile_guards_final_url(db: Database) -> None:
    """Triggers that refuse a blob naming a compression dictionary the database does not hold (an orphan
    reference is unreadable forever), and the URL each fetch ended at after redirects."""
    checks = []
    for table in ("versions", "bodies"):
        for event, name in (("INSERT", "insert"), ("UPDATE OF compression", "update")):
            checks.append(f"""
        CREATE TRIGGER {table}_dictionary_{name} BEFORE {event} ON {table}
        WHEN NEW.compression LIKE 'zstd:%' AND NOT EXISTS (
            SELECT 1 FROM dictionaries WHERE id = CAST(substr(NEW.compression, 6) AS INTEGER))
        BEGIN SELECT RAISE(ABORT, 'compression dictionary missing: refusing an unreadable blob'); END;""")
    db.executescript("\n".join(checks) + "\n        ALTER TABLE snapshots ADD COLUMN final_url TEXT;\n")


@migrations()
def m013_version_links(db: Database) -> None:
    """Link targets: the links inside each version's legal text (`versions.links`, zlib-compressed JSON
    `[[text, target], ...]`; NULL when not recorded, for versions stored before), and the link targets a
    change moved (`change_links`), also for a change of links only (0 clauses added, removed, modified)."""
    db.executescript(
        """
        ALTER TABLE versions ADD COLUMN links BLOB;
        CREATE TABLE change_links (
            change_id INTEGER NOT NULL REFERENCES changes(id),
            position INTEGER NOT NULL,
            text TEXT NOT NULL,                -- the link's text
            old_target TEXT NOT NULL,
            new_target TEXT NOT NULL,
            alert INTEGER NOT NULL DEFAULT 0,  -- 1: an opt-out or contact link
            PRIMARY KEY (change_id, position)
        );
        """
    )


@migrations()
def m014_baseline_index_queue(db: Database) -> None:
    """Baselines wait here for the search index, which `search` brings up to date (monitor.store.baselines)."""
    db.executescript(
        """
        CREATE TABLE baselines_to_index (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE
        );
        """
    )
