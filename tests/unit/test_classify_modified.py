"""A modified clause is read as an added one is (its sentences, list lead-ins, headings never flagged) and then
judged against its old text: new scope, dates or opt-out flag it again, a restated sentence does not."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.classify import classify
from monitor.diff import diff_clauses
from monitor.models import Category, ClauseKind

NOW = datetime(2025, 9, 18, tzinfo=UTC)
BASE = ["# Terms", "You must keep your password safe."]


def categories(old: list[str], new: list[str]) -> set[Category]:
    return {f.category for f in classify(diff_clauses(old, new), new, now=NOW)}


def test_modified_list_item_reads_its_lead_in() -> None:
    old = [*BASE, "We do not:", "- sell your data;", "- use your private messages to train our models."]
    new = [*BASE, "We do not:", "- sell your data;", "- use your private messages to train our AI models."]
    assert Category.AI_TRAINING not in categories(old, new)


def test_list_item_inside_a_modified_table_cell_reads_its_lead_in() -> None:
    old = [*BASE, "| Messages | We do not: * sell them * use them to train our models |"]
    new = [*BASE, "| Messages | We do not: * sell them * use them to train our AI models |"]
    assert Category.AI_TRAINING not in categories(old, new)


def test_modified_heading_is_never_flagged() -> None:
    old = [*BASE, "## How we use data", "We keep your data safe."]
    new = [*BASE, "## How we train our AI models", "We keep your data safe."]
    assert categories(old, new) == set()


def test_restated_sentence_with_a_new_word_in_its_scope_is_not_flagged_again() -> None:
    old = [*BASE, "Our journalists and editors may use AI as an additive tool in the reporting process where "
                  "outputs are checked for accuracy."]
    new = [*BASE, "Our editors may use AI as an additive tool in the content process where outputs are checked "
                  "for accuracy."]
    assert categories(old, new) == set()


def test_restated_training_sentence_naming_new_data_is_flagged() -> None:
    old = [*BASE, "We use your posts to train our generative AI models."]
    new = [*BASE, "We use your posts and your private messages to train our generative AI models."]
    assert Category.AI_TRAINING in categories(old, new)


def test_modified_objection_before_its_training_clause_is_no_opt_out() -> None:
    training = "We will use your public posts to train our generative AI models."
    old = ["# Privacy", "You can object in your settings.", training]
    new = ["# Privacy", "You can object in Settings > Privacy.", training]
    assert [c.kind for c in diff_clauses(old, new).clauses] == [ClauseKind.MODIFIED]
    assert Category.AI_OPT_OUT not in categories(old, new)
    after = ["# Privacy", training, "You can object in Settings > Privacy."]
    assert Category.AI_OPT_OUT in categories(["# Privacy", training, "You can object in your settings."], after)
