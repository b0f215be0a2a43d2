"""Store: schema on open, atomic checks, compressed bodies stored once, changes round-trip, the outbox."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from monitor.diff import diff_clauses
from monitor.errors import NotFound, StoreError
from monitor.models import Category, DateRole, DeliveryStatus, Document, Event, Flag, FlagDate
from monitor.store import ChangeFilter, Store

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
DOC = Document(id="linkedin/privacy", service="linkedin", service_name="LinkedIn", name="privacy",
               urls=("https://example.test/p",))


def test_reopen_and_wal(tmp_path, store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = Store(tmp_path / "m.db")
    assert [s.id for s in again.document_states()] == ["linkedin/privacy"]
    again.close()


def test_newer_schema_is_refused(tmp_path, store):
    store.db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('tosmon', 'm999_future', 'x')")
    store.db.conn.commit()
    with pytest.raises(StoreError, match="newer than this tosmon"):
        Store(tmp_path / "m.db")


def test_missing_database_for_readers(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "absent.db", create=False)


def test_bodies_stored_once_compressed(store):
    body = b"<html>" + b"x" * 10_000 + b"</html>"
    with store.atomic():
        a = store.add_snapshot(DOC.id, url=DOC.url, fetched_at=NOW, outcome="ok", body=body)
        b = store.add_snapshot(DOC.id, url=DOC.url, fetched_at=NOW, outcome="ok", body=body)
    assert store.db.execute("SELECT count(*) FROM bodies").fetchone()[0] == 1
    assert store.db.execute("SELECT length(data) FROM bodies").fetchone()[0] < 1000
    assert store.snapshot_body(a) == store.snapshot_body(b) == body


def test_atomic_rolls_back_everything(store):
    with pytest.raises(RuntimeError):
        with store.atomic():
            store.add_snapshot(DOC.id, url=DOC.url, fetched_at=NOW, outcome="ok", body=b"x")
            store.add_version(DOC.id, text="a", created_at=NOW, extractor="1")
            raise RuntimeError("crash in the middle of a check")
    assert store.db.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 0
    assert store.latest_version(DOC.id) is None


def test_change_round_trip_and_filters(store):
    flag = Flag(category=Category.AI_TRAINING, score=0.9, clause="We train AI on your posts.", language="en",
                evidence=("train", "AI"), opt_out="Settings > Data for AI",
                dates=(FlagDate(text="November 3, 2025", date=date(2025, 11, 3), role=DateRole.EFFECTIVE),))
    diff = diff_clauses(["a b c d", "old"], ["a b c e", "We train AI on your posts."])
    with store.atomic():
        v1 = store.add_version(DOC.id, text="a b c d\nold", created_at=NOW, extractor="1")
        v2 = store.add_version(DOC.id, text="a b c e\nWe train AI on your posts.", created_at=NOW, extractor="1")
        change_id = store.add_change(DOC.id, from_version=v1, to_version=v2, detected_at=NOW, diff=diff,
                                     flags=[flag])
    change = store.get_change(change_id)
    assert change.flags == (flag,)
    assert change.clauses == diff.clauses
    assert change.to_json()["flags"][0]["dates"] == [{"text": "November 3, 2025", "date": "2025-11-03",
                                                       "role": "effective"}]
    assert store.version_text(DOC.id, 2).split("\n")[1] == "We train AI on your posts."
    assert [c.id for c in store.list_changes(ChangeFilter(flagged=True))] == [change_id]
    assert store.list_changes(ChangeFilter(category="ai_scraping_ban")) == []
    assert store.list_changes(ChangeFilter(since=NOW + timedelta(days=1))) == []
    assert [c.id for c in store.list_changes(ChangeFilter(service="LinkedIn"))] == [change_id]
    with pytest.raises(NotFound):
        store.get_change(change_id + 1)
    view = store.db.execute("SELECT document_id, categories FROM change_log").fetchall()
    assert view == [("linkedin/privacy", "ai_training")]


def test_outbox(store):
    with store.atomic():
        delivery_id = store.add_delivery(webhook="ops", event=Event.CHANGE_DETECTED, payload={"change": {}},
                                         now=NOW, document_id=DOC.id)
    [due] = store.due_deliveries(now=NOW)
    assert due.id == delivery_id and due.status is DeliveryStatus.PENDING
    assert f'"delivery_id":"{delivery_id}"' in due.payload
    store.update_delivery(delivery_id, status=DeliveryStatus.FAILED, attempts=1, next_attempt_at=None,
                          last_error="HTTP 410 Gone")
    assert store.due_deliveries(now=NOW) == []
    assert [d.last_error for d in store.deliveries(status="failed")] == ["HTTP 410 Gone"]


def test_integrity_after_reopen(tmp_path, store):
    store.close()
    with sqlite3.connect(tmp_path / "m.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migration_names_in_step():
    from monitor.store.migrations import migrations
    from monitor.store.schema import MIGRATION_NAMES

    assert tuple(m.name for m in migrations._migrations) == MIGRATION_NAMES


def test_search_baseline_and_changed_clauses(store):
    with store.atomic():
        v1 = store.add_version(DOC.id, text="# Privacy\nWe collect données of members.", created_at=NOW,
                               extractor="1")
        diff = diff_clauses(["# Privacy", "We collect données of members."],
                            ["# Privacy", "We collect données of members.", "Generative models learn from posts."])
        v2 = store.add_version(DOC.id, text="# Privacy\nWe collect données of members.\n"
                               "Generative models learn from posts.", created_at=NOW + timedelta(days=1),
                               extractor="1")
        store.add_change(DOC.id, from_version=v1, to_version=v2, detected_at=NOW + timedelta(days=1),
                         diff=diff, flags=[])
    [hit] = store.search("generative posts")
    assert (hit.kind, hit.version, hit.text) == ("added", 2, "Generative models learn from posts.")
    [hit] = store.search("donnees")
    assert (hit.kind, hit.version) == ("version", 1)
    assert store.search('unbalanced "quote') == []
    assert store.search("absent") == []


def test_search_query_forms_on_baselines(store):
    with store.atomic():
        store.add_version(DOC.id, text="We train models on public posts.\nWe never sell data to brokers.\n"
                                       "Training of staff happens yearly.", created_at=NOW, extractor="1")
    texts = lambda q: [h.text for h in store.search(q)]  # noqa: E731
    assert texts('"public posts"') == ["We train models on public posts."]
    assert texts('"posts public"') == []
    assert texts("train*") == ["We train models on public posts.", "Training of staff happens yearly."]
    assert texts("train") == ["We train models on public posts."]
    assert texts("data NOT brokers") == []
    assert texts("brokers OR staff") == ["We never sell data to brokers.", "Training of staff happens yearly."]


def test_nested_atomic_rolls_back_only_the_inner_block(store):
    with store.atomic():
        store.add_version(DOC.id, text="outer", created_at=NOW, extractor="1")
        with pytest.raises(RuntimeError):
            with store.atomic():
                store.add_version(DOC.id, text="inner", created_at=NOW, extractor="1")
                raise RuntimeError("inner failure")
    assert [v.number for v in store.versions(DOC.id)] == [1]
    assert not store.conn.in_transaction


def _indexed(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM version_fts WHERE version_fts MATCH 'posts'").fetchone()[0]


def test_baselines_are_indexed_when_a_search_reads_the_index(tmp_path):
    path = tmp_path / "db" / "m.db"
    writer = Store(path)
    docs = [Document(id=f"s{i}/terms", service=f"s{i}", service_name=f"S{i}", name="terms",
                     urls=(f"https://s{i}.example/terms",)) for i in range(3)]
    writer.sync_documents(docs, now=NOW)
    for doc in docs:
        with writer.atomic():
            writer.add_version(doc.id, text=f"We read public posts ({doc.service}).", created_at=NOW, extractor="1")
    writer.close()
    assert _indexed(path) == 0                         # queued in the database, not indexed by the checks
    reader = Store(path)                               # another connection, as after a crash
    assert [hit.text for hit in reader.search("posts")] == [f"We read public posts (s{i})." for i in (2, 1, 0)]
    assert _indexed(path) == 3
    from monitor.store import baselines

    assert baselines.index_queued(reader) == 0         # nothing left waiting
    reader.close()


def test_a_read_only_database_still_finds_queued_baselines(tmp_path):
    path = tmp_path / "m.db"
    store = Store(path)
    store.sync_documents([DOC], now=NOW)
    with store.atomic():
        store.add_version(DOC.id, text="We read public posts.", created_at=NOW, extractor="1")
    store.close()
    store = Store(path)
    store.conn.execute("PRAGMA query_only = ON")      # what a read-only file does (root ignores file modes)
    [hit] = store.search("public posts")
    assert (hit.kind, hit.text) == ("version", "We read public posts.")
    store.close()
    assert _indexed(path) == 0
