"""Search: any string is a query or a one-line ConfigError, never an SQLite error; hyphens and apostrophes
search as users mean them, in baselines (detail=column index) and in changed clauses (full index)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.diff import diff_clauses
from monitor.errors import ConfigError
from monitor.models import Document
from monitor.store import Store
from monitor.store.query import parse_query

NOW = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
DOC = Document(id="acme/privacy", service="acme", service_name="Acme", name="privacy",
               urls=("https://example.test/p",))
BASELINE = ["# Datenschutz", "Wir nutzen Ihre Beiträge, um KI-Modelle zu trainieren.",
            "Vous pouvez vous opposer jusqu'au 3 novembre à l'utilisation de vos données par l'IA.",
            "Write to us by e-mail.", "Nothing about models here."]
ADDED = "You can opt-out of training on your content at any time."


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("search") / "m.db")
    store.sync_documents([DOC], now=NOW)
    with store.atomic():
        v1 = store.add_version(DOC.id, text="\n".join(BASELINE), created_at=NOW, extractor="1")
        v2 = store.add_version(DOC.id, text="\n".join(BASELINE + [ADDED]), created_at=NOW + timedelta(days=1),
                               extractor="1")
        store.add_change(DOC.id, from_version=v1, to_version=v2, detected_at=NOW + timedelta(days=1),
                         diff=diff_clauses(BASELINE, BASELINE + [ADDED]), flags=[])
    yield store
    store.close()


@pytest.mark.parametrize(("query", "expected"), [
    ("opt-out", ADDED), ("opt out", ADDED), ('"opt-out"', ADDED), ("opt-*", ADDED),
    ("e-mail", BASELINE[3]), ("KI-Modelle", BASELINE[1]), ("ki-modelle", BASELINE[1]),
    ("d'IA", None), ("l'IA", BASELINE[2]), ("jusqu'au", BASELINE[2]), ("jusqu’au novembre", BASELINE[2]),
])
def test_hyphens_and_apostrophes_search_as_meant(filled, query, expected):
    texts = [hit.text for hit in filled.search(query)]
    assert texts == ([expected] if expected else []), query


def test_operators_still_work(filled):
    assert [h.text for h in filled.search("models NOT KI")] == [BASELINE[4]]
    assert {h.text for h in filled.search("e-mail OR jusqu'au")} == {BASELINE[3], BASELINE[2]}
    assert filled.search("opt-out NOT content") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "NOT models", '"', "- ' *", "OR AND NEAR"])
def test_nothing_to_search_for_is_a_one_line_error(filled, query):
    with pytest.raises(ConfigError) as caught:
        filled.search(query)
    assert "\n" not in str(caught.value) and "no word to search for" in str(caught.value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text())
def test_any_string_is_a_query_or_a_config_error(filled, query):
    try:
        hits = filled.search(query)
    except ConfigError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(hits, list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(['"', "*", "-", "'", "(", ")", ":", "^", "+", "NOT", "OR", "AND", "NEAR",
                                 "opt", "KI", "ü", "\x00", "\ud800", "𐘀", "_", "é"]), max_size=8))
def test_fts_syntax_soup_never_reaches_sqlite_unquoted(filled, parts):
    query = " ".join(parts) if len(parts) % 2 else "".join(parts)
    try:
        filled.search(query)
    except ConfigError:
        pass


def test_parsed_query_is_quoted_fts():
    assert parse_query("opt-out NOT d'IA").fts() == '("opt out") NOT "d ia"'
    assert parse_query('train* OR "e-mail"').fts() == '("train"* OR "e mail")'
