"""Clause diff: added, removed and modified clauses, pairing by similarity, word-level segments."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.diff import diff_clauses, similarity, word_diff
from monitor.models import ClauseKind


def kinds(old, new):
    return [(c.kind.value, c.old, c.new) for c in diff_clauses(old, new).clauses]


def test_identical_is_empty():
    assert diff_clauses(["a", "b"], ["a", "b"]).empty


def test_added_removed_modified():
    old = ["# Title", "We collect data.", "We share data with partners.", "Old clause gone."]
    new = ["# Title", "We collect your data.", "We share data with partners.", "A brand new clause about AI."]
    diff = diff_clauses(old, new)
    assert (diff.added, diff.removed, diff.modified) == (1, 1, 1)
    modified = next(c for c in diff.clauses if c.kind is ClauseKind.MODIFIED)
    assert modified.segments == ((0, "We collect "), (1, "your "), (0, "data."))
    assert modified.old_index == 1 and modified.new_index == 1


def test_unrelated_replacement_is_add_and_remove():
    assert kinds(["Cats sleep all day long."], ["Payment is due within thirty days of invoice."]) == [
        ("added", None, "Payment is due within thirty days of invoice."),
        ("removed", "Cats sleep all day long.", None)]


def test_moved_clause_is_not_modified():
    old = ["A one.", "B two three.", "C four five six."]
    new = ["B two three.", "C four five six.", "A one."]
    diff = diff_clauses(old, new)
    assert diff.modified == 0 and diff.added == 1 and diff.removed == 1


def test_duplicate_lines_counted():
    diff = diff_clauses(["x", "y"], ["x", "x", "y"])
    assert (diff.added, diff.removed, diff.modified) == (1, 0, 0)


def test_pairs_in_order_within_a_hunk():
    old = ["We may share your data with partners.", "We keep data for a year."]
    new = ["We may share your personal data with trusted partners.", "New clause entirely unrelated here.",
           "We keep data for two years."]
    diff = diff_clauses(old, new)
    assert [c.kind for c in diff.clauses] == [ClauseKind.MODIFIED, ClauseKind.ADDED, ClauseKind.MODIFIED]


def test_word_diff_round_trips():
    old, new = "Effective 1 May 2025, we update terms.", "Effective 3 November 2025, we update our terms."
    segments = word_diff(old, new)
    assert "".join(t for op, t in segments if op <= 0) == old
    assert "".join(t for op, t in segments if op >= 0) == new


def test_similarity_bounds():
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("a b c", "x y z") == 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=15), st.lists(st.text(max_size=30), max_size=15))
def test_diff_reconstructs_both_sides(old, new):
    old = [line.replace("\n", " ") for line in old]
    new = [line.replace("\n", " ") for line in new]
    diff = diff_clauses(old, new)
    removed = sorted(c.old_index for c in diff.clauses if c.kind is not ClauseKind.ADDED)
    added = sorted(c.new_index for c in diff.clauses if c.kind is not ClauseKind.REMOVED)
    # Every line not reported is kept, in order, on both sides.
    kept_old = [line for i, line in enumerate(old) if i not in set(removed)]
    kept_new = [line for i, line in enumerate(new) if i not in set(added)]
    assert kept_old == kept_new
    for c in diff.clauses:
        if c.kind is ClauseKind.MODIFIED:
            assert "".join(t for op, t in c.segments if op <= 0) == c.old
            assert "".join(t for op, t in c.segments if op >= 0) == c.new
