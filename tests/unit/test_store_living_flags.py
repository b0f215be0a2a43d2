"""Living flags in the store: a later change that modifies or removes a flagged clause supersedes its flag;
current_flags() keeps only flags whose clause is in the document's latest version; m007 marks old data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

from monitor.diff import diff_clauses
from monitor.models import Category, ClauseKind, DateRole, Document, Flag, FlagDate
from monitor.store import Store

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
DOC = Document(id="svc/terms", service="svc", service_name="Svc", name="terms", urls=("https://example.test/t",))
TRAIN = "We train our AI models on your posts."
OBJ1 = "You can object before 14 January 2027."
OBJ2 = "You can object at any time, and before 31 January 2027 to exclude past content."


def flag(clause: str, category: Category, day: date | None = None, kind: ClauseKind = ClauseKind.ADDED,
         previous: tuple[FlagDate, ...] = ()) -> Flag:
    dates = (FlagDate(text=str(day), date=day, role=DateRole.DEADLINE),) if day else ()
    return Flag(category=category, score=0.9, clause=clause, clause_kind=kind, dates=dates, previous_dates=previous)


def record(store: Store, old: list[str], new: list[str], flags: list[Flag], at: datetime) -> int:
    with store.atomic():
        latest = store.latest_version(DOC.id)
        assert latest is not None
        number = store.add_version(DOC.id, text="\n".join(new), created_at=at, extractor="1")
        return store.add_change(DOC.id, from_version=latest.number, to_version=number, detected_at=at,
                                diff=diff_clauses(old, new), flags=flags)


def test_modified_clause_supersedes_its_flag_and_current_flags_keep_the_new_one(store):
    store.add_version(DOC.id, text="Intro.", created_at=NOW, extractor="1")
    v1 = ["Intro.", TRAIN, OBJ1]
    first = record(store, ["Intro."], v1, [flag(TRAIN, Category.AI_TRAINING),
                                           flag(OBJ1, Category.AI_OPT_OUT, date(2027, 1, 14))], NOW)
    old_dates = (FlagDate(text="14 January 2027", date=date(2027, 1, 14), role=DateRole.DEADLINE),)
    second = record(store, v1, ["Intro.", TRAIN, OBJ2],
                    [flag(OBJ2, Category.AI_OPT_OUT, date(2027, 1, 31), ClauseKind.MODIFIED, old_dates)],
                    NOW + timedelta(days=1))
    everything = {(c.id, f.clause): f for c, f in store.flagged()}
    assert everything[(first, OBJ1)].superseded_by == second
    assert everything[(first, TRAIN)].superseded_by is None
    assert everything[(second, OBJ2)].previous_dates == old_dates and everything[(second, OBJ2)].modified
    current = store.current_flags()
    assert [(c.id, f.clause) for c, f in current] == [(second, OBJ2), (first, TRAIN)]
    assert [d.date for _, f in current for d in f.dates] == [date(2027, 1, 31)]
    assert [f.clause for _, f in store.current_flags(category="ai_opt_out")] == [OBJ2]


def test_removed_clause_supersedes_and_a_duplicate_line_keeps_it_alive(store):
    store.add_version(DOC.id, text="Intro.", created_at=NOW, extractor="1")
    v1 = ["Intro.", TRAIN, "Other.", TRAIN]
    first = record(store, ["Intro."], v1, [flag(TRAIN, Category.AI_TRAINING)], NOW)
    record(store, v1, ["Intro.", TRAIN, "Other."], [], NOW + timedelta(days=1))   # one copy left
    assert [f.superseded_by for _, f in store.flagged()] == [None]
    third = record(store, ["Intro.", TRAIN, "Other."], ["Intro.", "Other."], [], NOW + timedelta(days=2))
    assert [(c.id, f.superseded_by) for c, f in store.flagged()] == [(first, third)]
    assert store.current_flags() == []


def test_current_flags_drop_clauses_a_rebaseline_no_longer_has(store):
    store.add_version(DOC.id, text="Intro.", created_at=NOW, extractor="1")
    record(store, ["Intro."], ["Intro.", TRAIN], [flag(TRAIN, Category.AI_TRAINING)], NOW)
    assert len(store.current_flags()) == 1
    with store.atomic():   # a new extractor reads the page differently: a technical version, no change
        store.add_version(DOC.id, text="Intro.\nWe train our AI models on your public posts.", created_at=NOW,
                          extractor="2", technical=True)
    assert store.current_flags() == [] and len(store.flagged()) == 1


def test_m007_marks_flags_stored_before_it(tmp_path, store):
    store.add_version(DOC.id, text="Intro.", created_at=NOW, extractor="1")
    v1 = ["Intro.", TRAIN, OBJ1]
    first = record(store, ["Intro."], v1, [flag(OBJ1, Category.AI_OPT_OUT, date(2027, 1, 14))], NOW)
    second = record(store, v1, ["Intro.", TRAIN, OBJ2], [], NOW + timedelta(days=1))
    path = store.path
    store.close()
    conn = sqlite3.connect(path)   # as a database written before m007 would be
    conn.executescript("""UPDATE flags SET superseded_by = NULL;
                          DROP INDEX flags_live;
                          ALTER TABLE flags DROP COLUMN superseded_by;
                          ALTER TABLE flags DROP COLUMN previous_dates;
                          DELETE FROM _sqlite_migrations WHERE name = 'm010_living_flags';""")
    conn.close()
    again = Store(path)
    try:
        assert [(c.id, f.superseded_by) for c, f in again.flagged()] == [(first, second)]
    finally:
        again.close()
