"""Which dates a flag carries (its clause, lead-in, heading, document-level lines) and how a year-less date
gets its year (its context, else the version's date — never the wall clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from monitor.classify import classify
from monitor.classify.dates import find_dates
from monitor.diff import diff_clauses
from monitor.models import Category, DateRole, Flag

V2025 = datetime(2025, 9, 18, tzinfo=UTC)


def flags_for(old: list[str], new: list[str], now: datetime = V2025, language: str | None = None) -> list[Flag]:
    return classify(diff_clauses(old, new), new, language=language, now=now)


def dates_of(flags: list[Flag], category: Category) -> set[tuple[date, DateRole]]:
    return {(d.date, d.role) for f in flags if f.category is category for d in f.dates}


def test_a_deadline_in_an_unflagged_sentence_stays_there() -> None:
    new = ["You may not scrape the Services to train artificial intelligence models.",
           "You must clearly label any AI-generated content you post.",
           "Sellers must confirm their tax details by 1 June 2027.",
           "From 1 June 2027 the seller dashboard moves to a new address."]
    flags = flags_for([], new)
    assert {f.category for f in flags} >= {Category.AI_SCRAPING_BAN, Category.AI_CONTENT_RULES}
    assert all(d.date != date(2027, 6, 1) for f in flags for d in f.dates)


def test_document_level_lines_reach_every_flag() -> None:
    new = ["# Terms of Service", "Last updated: 2 September 2025",
           "These terms take effect on 3 November 2025.",
           "We use your posts to train our generative AI models."]
    got = dates_of(flags_for(["# Terms of Service"], new), Category.AI_TRAINING)
    assert got == {(date(2025, 11, 3), DateRole.EFFECTIVE), (date(2025, 9, 2), DateRole.OTHER)}


def test_heading_and_lead_in_dates_belong_to_the_clauses_under_them() -> None:
    new = ["## Changes from 1 March 2026", "Other news about invoices.",
           "Starting 2 April 2026, we will:", "- use your photos to train our AI models;", "- send invoices by email."]
    flags = flags_for(["## Changes from 1 March 2026", "Other news about invoices."], new)
    got = dates_of(flags, Category.AI_TRAINING)
    assert (date(2026, 4, 2), DateRole.EFFECTIVE) in got
    assert (date(2026, 3, 1), DateRole.EFFECTIVE) in got


def test_year_less_date_takes_the_year_of_the_change_not_the_clock() -> None:
    new = ["Mise à jour : 3 novembre 2025",
           "Vous pouvez vous opposer jusqu'au 3 novembre à l'utilisation de vos données pour entraîner nos "
           "modèles d'IA générative."]
    flags = flags_for([], new, now=datetime(2026, 11, 30, tzinfo=UTC), language="fr")
    days = {d.date for f in flags for d in f.dates}
    assert date(2025, 11, 3) in days
    assert all(d.year == 2025 for d in days)


def test_year_less_date_without_context_is_the_next_one_after_the_version() -> None:
    new = ["You can object until 3 November to the use of your data to train our generative AI models."]
    backfilled = flags_for([], new, now=datetime(2024, 5, 2, tzinfo=UTC))
    assert {d.date for f in backfilled for d in f.dates} == {date(2024, 11, 3)}
    late = flags_for([], new, now=datetime(2024, 12, 1, tzinfo=UTC))
    assert {d.date for f in late for d in f.dates} == {date(2025, 11, 3)}


def test_the_same_day_is_never_given_two_years() -> None:
    new = ["From 3 November 2025 we will use your data to train our AI models; you can object until "
           "3 November in your settings."]
    for f in flags_for([], new, now=datetime(2025, 12, 1, tzinfo=UTC)):
        assert {d.date for d in f.dates} == {date(2025, 11, 3)}


def test_inferred_year_stays_near_the_version() -> None:
    found = find_dates("Valid from 1 January 2099 until 3 March.", "en", now=V2025)
    assert [f.flag_date.date for f in found if f.inferred] == [date(2026, 3, 3)]


TRAIN = "We use your posts and photos to train our generative AI models."
OBJECT_V1 = "You can object before 14 January 2027 in Settings > Privacy > AI training."
OBJECT_V2 = ("You can object at any time, and before 31 January 2027 to exclude past content, in Settings > Privacy "
             "> AI training.")


def test_modified_objection_is_flagged_with_old_and_new_dates() -> None:
    old = ["## Your content and AI", TRAIN, OBJECT_V1]
    new = ["## Your content and AI", TRAIN, OBJECT_V2]
    flags = flags_for(old, new, now=datetime(2026, 11, 30, tzinfo=UTC))
    opt_out = [f for f in flags if f.category is Category.AI_OPT_OUT]
    assert len(opt_out) == 1 and opt_out[0].modified and opt_out[0].clause == OBJECT_V2
    assert [(d.date, d.role) for d in opt_out[0].dates] == [(date(2027, 1, 31), DateRole.DEADLINE)]
    assert [(d.date, d.role) for d in opt_out[0].previous_dates] == [(date(2027, 1, 14), DateRole.DEADLINE)]
    assert opt_out[0].to_json()["modified"] is True
    assert opt_out[0].to_json()["previous_dates"][0]["date"] == "2027-01-14"


def test_reworded_ai_clause_without_new_scope_dates_or_opt_out_is_not_flagged_again() -> None:
    old = ["We use your posts to train Bard, our generative AI model, from 1 March 2024."]
    new = ["We use your posts to train Gemini, our generative AI model, from 1 March 2024."]
    assert flags_for(old, new) == []


def test_modified_clause_with_a_new_scope_is_flagged() -> None:
    old = ["We use your posts to train our generative AI models."]
    new = ["We use your posts and your private messages to train our generative AI models."]
    flags = flags_for(old, new)
    assert [f.category for f in flags] == [Category.AI_TRAINING] and flags[0].modified


def test_a_general_consent_sentence_added_under_an_unchanged_training_clause_is_no_opt_out() -> None:
    old = ["## Purposes", TRAIN, "We may use your data for other purposes with your consent."]
    new = ["## Purposes", TRAIN, "We may use your data for other purposes with your consent. You may withdraw "
                                 "your consent at any time."]
    assert Category.AI_OPT_OUT not in {f.category for f in flags_for(old, new)}
