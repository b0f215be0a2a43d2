"""Stored bodies and version texts: zstd, a dictionary per kind trained on the database's own first blobs,
older zlib rows still readable, one dictionary even when two connections race to train it."""

from __future__ import annotations

import random
import threading
import zlib
from datetime import UTC, datetime

import pytest
import zstandard

from monitor.errors import StoreError
from monitor.models import Document
from monitor.store import Store
from monitor.store import blobs as blobs_module
from monitor.store.blobs import TRAIN_AFTER

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
DOC = Document(id="acme/privacy", service="acme", service_name="Acme", name="privacy",
               urls=("https://example.test/p",))
WORDS = ("we collect process share store your personal data account content location device partners "
         "advertising consent legitimate interest retention transfer rights object erase access "
         "generative artificial intelligence models train improve services").split()


def page(seed: int) -> bytes:
    """A terms page like the ones a watchlist fetches: shared markup, varied sentences."""
    rng = random.Random(seed)
    paragraphs = "".join(
        f"<p>{' '.join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))).capitalize()}.</p>\n"
        for _ in range(60))
    return (f'<html><head><title>Privacy policy {seed}</title></head><body><nav><a href="/">Home</a></nav>'
            f'<main><h1>Privacy policy</h1>\n{paragraphs}</main><footer>© Acme</footer></body></html>').encode()


def add_body(store: Store, body: bytes) -> int:
    with store.atomic():
        return store.add_snapshot(DOC.id, url=DOC.url, fetched_at=NOW, outcome="ok", body=body)


def methods(store: Store, table: str) -> set[str]:
    return {row[0] for row in store.conn.execute(f"SELECT compression FROM {table}")}


def test_bodies_plain_until_a_dictionary_is_trained_then_all_use_it(store):
    first = [add_body(store, page(i)) for i in range(TRAIN_AFTER)]
    assert methods(store, "bodies") == {"zstd"}
    assert store.conn.execute("SELECT count(*) FROM dictionaries").fetchone()[0] == 0

    more = [add_body(store, page(i)) for i in range(TRAIN_AFTER, TRAIN_AFTER + 20)]
    (dict_id, kind), = store.conn.execute("SELECT id, kind FROM dictionaries").fetchall()
    assert kind == "body"
    assert methods(store, "bodies") == {f"zstd:{dict_id}"}      # the first ones were recompressed with it
    for i, snapshot_id in enumerate(first + more):
        assert store.snapshot_body(snapshot_id) == page(i)

    # ... and it pays: smaller than each page compressed on its own at the same level
    stored = store.conn.execute("SELECT sum(length(data)) FROM bodies").fetchone()[0]
    plain = sum(len(zstandard.ZstdCompressor(level=blobs_module.LEVELS["body"]).compress(page(i)))
                for i in range(TRAIN_AFTER + 20))
    assert stored < plain * 0.9


def test_version_texts_get_their_own_dictionary(store):
    texts = [page(i).decode().replace("<p>", "").replace("</p>", "") for i in range(TRAIN_AFTER + 5)]
    with store.atomic():
        for text in texts:
            store.add_version(DOC.id, text=text, created_at=NOW, extractor="x")
    (dict_id,), = store.conn.execute("SELECT id FROM dictionaries WHERE kind = 'text'").fetchall()
    assert methods(store, "versions") == {f"zstd:{dict_id}"}
    assert [store.version_text(DOC.id, n) for n in range(1, len(texts) + 1)] == texts
    # the baseline index was fed the plain text, and search decompresses what it reads
    assert store.search("generative")


def test_a_fresh_connection_reads_and_extends_with_the_same_dictionary(tmp_path, store):
    ids = [add_body(store, page(i)) for i in range(TRAIN_AFTER + 1)]
    again = Store(tmp_path / "m.db")
    try:
        assert again.snapshot_body(ids[3]) == page(3)
        later = add_body(again, page(999))
        assert again.snapshot_body(later) == page(999)
        assert again.conn.execute("SELECT count(*) FROM dictionaries").fetchone()[0] == 1
    finally:
        again.close()


def test_rows_written_with_zlib_before_zstd_are_read_as_they_are(store):
    body, text = page(1), "# Terms\nOld clause one.\nOld clause two."
    store.conn.execute("INSERT INTO bodies (hash, size, compression, data) VALUES ('h', ?, 'zlib', ?)",
                       [len(body), zlib.compress(body)])
    store.conn.execute("INSERT INTO snapshots (id, document_id, url, fetched_at, outcome, body_hash) "
                       "VALUES (77, ?, 'u', '2025-01-01T00:00:00Z', 'ok', 'h')", [DOC.id])
    # a version row as migration m006 leaves it: no compression given, so the column's default
    store.conn.execute("INSERT INTO versions (document_id, number, created_at, text_hash, text, clauses, extractor)"
                       " VALUES (?, 1, '2025-01-01T00:00:00Z', 'x', ?, 3, 'e')", [DOC.id, zlib.compress(text.encode())])
    assert methods(store, "versions") == {"zlib"}
    assert store.snapshot_body(77) == body
    assert store.version_text(DOC.id, 1) == text


def test_unknown_compression_is_a_store_error(store):
    store.conn.execute("INSERT INTO versions (document_id, number, created_at, text_hash, compression, text,"
                       " clauses, extractor) VALUES (?, 1, 'x', 'x', 'brotli', x'00', 1, 'e')", [DOC.id])
    with pytest.raises(StoreError, match="unknown compression 'brotli'"):
        store.version_text(DOC.id, 1)


def test_training_that_fails_leaves_blobs_plain_and_is_not_retried(store, monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise zstandard.ZstdError("not enough samples")

    monkeypatch.setattr(blobs_module.zstandard, "train_dictionary", refuse)
    ids = [add_body(store, page(i)) for i in range(TRAIN_AFTER + 5)]
    assert methods(store, "bodies") == {"zstd"}
    assert len(calls) == 1
    assert store.snapshot_body(ids[-1]) == page(TRAIN_AFTER + 4)


def test_two_connections_racing_to_train_make_one_dictionary(tmp_path, store):
    for i in range(TRAIN_AFTER - 1):
        add_body(store, page(i))
    stores = [Store(tmp_path / "m.db") for _ in range(2)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def write(s: Store, offset: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                add_body(s, page(1000 + offset * 100 + i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in stores:
        s.close()
    assert not errors
    assert store.conn.execute("SELECT count(*) FROM dictionaries WHERE kind = 'body'").fetchone()[0] == 1
    (dict_id,), = store.conn.execute("SELECT id FROM dictionaries").fetchall()
    assert methods(store, "bodies") == {f"zstd:{dict_id}"}
    for (snapshot_id,) in store.conn.execute("SELECT id FROM snapshots").fetchall():
        assert store.snapshot_body(snapshot_id) is not None


def test_a_blob_prepared_before_the_transaction_is_stored_as_prepared(store, monkeypatch):
    body = page(7)
    store.blobs.prepare("body", body)
    calls = []
    monkeypatch.setattr(blobs_module._Codec, "compress", lambda self, data: calls.append(data) or b"")
    snapshot_id = add_body(store, body)                  # takes the prepared blob: no compression inside
    assert calls == []
    monkeypatch.undo()
    assert store.snapshot_body(snapshot_id) == body
    for i in range(10):                                  # prepared for writes that never came: bounded
        store.blobs.prepare("text", page(100 + i))
    assert len(store.blobs._prepared) <= 4
