"""A failed transaction cannot poison the blob store (issue 13, finding 1): the dictionary a rolled-back
transaction trained is forgotten with it, no row can name a dictionary the database lacks, and a database an
older tosmon left with unreadable rows says so and goes on working."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from monitor.models import Document
from monitor.store import Store
from monitor.store import blobs as blobs_module
from monitor.store.blobs import TRAIN_AFTER
from tests.unit.test_blobs import add_body, methods, page

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
DOC = Document(id="acme/privacy", service="acme", service_name="Acme", name="privacy",
               urls=("https://example.test/p",))


def readable_everywhere(path) -> None:
    """Every body and version text of the database decodes, read by a fresh connection."""
    fresh = Store(path)
    try:
        for (snapshot_id,) in fresh.conn.execute("SELECT id FROM snapshots WHERE body_hash IS NOT NULL"):
            assert fresh.snapshot_body(snapshot_id) is not None
        for number, in fresh.conn.execute("SELECT number FROM versions WHERE document_id = ?", [DOC.id]):
            fresh.version_text(DOC.id, number)
        assert fresh.blobs.unreadable() == {}
    finally:
        fresh.close()


def test_a_dictionary_whose_transaction_failed_is_forgotten(tmp_path, store, monkeypatch):
    real = blobs_module.Blobs._recompress
    failures = []

    def fail_once(self, kind, dict_id):
        if not failures:
            failures.append(dict_id)
            raise sqlite3.OperationalError("database or disk is full")   # as COMMIT on a full tmpfs
        real(self, kind, dict_id)

    monkeypatch.setattr(blobs_module.Blobs, "_recompress", fail_once)
    ids = [add_body(store, page(i)) for i in range(TRAIN_AFTER)]
    with pytest.raises(sqlite3.OperationalError):
        add_body(store, page(TRAIN_AFTER))                       # training fails: this write is lost
    assert failures
    assert store.conn.execute("SELECT count(*) FROM dictionaries").fetchone()[0] == 0
    # later writes never name the dictionary that was rolled back
    ids += [add_body(store, page(i)) for i in range(TRAIN_AFTER + 1, TRAIN_AFTER + 6)]
    with store.atomic():
        store.add_version(DOC.id, text="Terms\nClause", created_at=NOW, extractor="x")
    (dict_id,), = store.conn.execute("SELECT id FROM dictionaries").fetchall()   # trained again, committed
    assert methods(store, "bodies") == {f"zstd:{dict_id}"}
    readable_everywhere(tmp_path / "m.db")


def test_a_failed_outer_transaction_takes_a_dictionary_trained_inside_it_along(tmp_path, store):
    for i in range(TRAIN_AFTER):
        add_body(store, page(i))
    with pytest.raises(RuntimeError), store.atomic():            # training nested in the check's transaction
        store.add_snapshot(DOC.id, url=DOC.url, fetched_at=NOW, outcome="ok", body=page(500))
        assert store.conn.execute("SELECT count(*) FROM dictionaries").fetchone()[0] == 1
        raise RuntimeError("the check failed after training")
    assert store.conn.execute("SELECT count(*) FROM dictionaries").fetchone()[0] == 0
    add_body(store, page(501))
    readable_everywhere(tmp_path / "m.db")


def test_the_database_refuses_a_row_naming_a_missing_dictionary(store):
    with pytest.raises(sqlite3.IntegrityError, match="compression dictionary missing"):
        store.conn.execute("INSERT INTO bodies (hash, size, compression, data) VALUES ('h', 1, 'zstd:7', x'00')")
    with pytest.raises(sqlite3.IntegrityError, match="compression dictionary missing"):
        store.conn.execute("INSERT INTO versions (document_id, number, created_at, text_hash, compression, text,"
                           " clauses, extractor) VALUES (?, 1, 'x', 'x', 'zstd:3', x'00', 1, 'e')", [DOC.id])
    store.conn.execute("INSERT INTO bodies (hash, size, compression, data) VALUES ('h', 1, 'zstd', x'00')")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE bodies SET compression = 'zstd:9' WHERE hash = 'h'")


def poison(store: Store) -> int:
    """What tosmon before this fix left behind: rows naming a dictionary that is not in the database."""
    for i in range(TRAIN_AFTER + 3):
        add_body(store, page(i))
    (dict_id,), = store.conn.execute("SELECT id FROM dictionaries").fetchall()
    store.conn.execute("DELETE FROM dictionaries")
    store.blobs.forget()
    return int(dict_id)


def test_unreadable_rows_are_reported_and_training_starts_again_from_readable_ones(tmp_path, store):
    lost = poison(store)
    assert store.blobs.unreadable() == {"bodies": {lost: TRAIN_AFTER + 3}}
    fresh = [add_body(store, page(1000 + i)) for i in range(TRAIN_AFTER + 2)]   # training skips the lost rows
    (dict_id,), = store.conn.execute("SELECT id FROM dictionaries").fetchall()
    assert dict_id > lost                                        # never the id the lost rows name
    for i, snapshot_id in enumerate(fresh):
        assert store.snapshot_body(snapshot_id) == page(1000 + i)


def test_repair_says_what_is_unreadable_and_drops_the_bodies(store, caplog):
    from monitor.store import health

    lost = poison(store)
    snapshots = store.conn.execute("SELECT count(*) FROM snapshots WHERE body_hash IS NOT NULL").fetchone()[0]
    assert snapshots == TRAIN_AFTER + 3
    line = health.repair_blobs(store)
    assert line is not None and f"{TRAIN_AFTER + 3} page bodies" in line and f"({lost})" in line
    assert line in caplog.text
    assert store.conn.execute("SELECT count(*) FROM snapshots WHERE body_hash IS NOT NULL").fetchone()[0] == 0
    assert store.blobs.unreadable() == {}
    assert health.repair_blobs(store) is None                   # nothing left to say


def test_episodes_of_trouble_are_one_line_each(caplog):
    from monitor.store import health

    full = sqlite3.OperationalError("database or disk is full")
    assert not health.trouble("x.db", ValueError("a bug"))
    for _ in range(50):
        assert health.trouble("x.db", full)
    health.healthy("x.db")
    health.healthy("x.db")
    assert health.trouble("x.db", sqlite3.OperationalError("attempt to write a readonly database"))
    health.healthy("x.db")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines
    assert "the disk is full" in lines[0] and "writable again" in lines[1] and "read-only" in lines[2]
