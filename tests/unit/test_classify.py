"""The classifier on hand-written changes: categories, word-sense traps, language, dates and hints."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.classify import classify, detect_language
from monitor.diff import diff_clauses
from monitor.models import Category, ClauseKind, DateRole

NOW = datetime(2025, 9, 18, tzinfo=UTC)


def flags_for(old: list[str], new: list[str], language: str | None = None):
    return classify(diff_clauses(old, new), new, language=language, now=NOW)


def categories(old: list[str], new: list[str], language: str | None = None) -> set[Category]:
    return {f.category for f in flags_for(old, new, language)}


BASE = ["# Privacy", "We process your data to provide the service."]

DATA = Path(__file__).parent.parent / "data" / "classify"


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(DATA.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("flags", []):
            out.append((path.stem, case))
    return out


def _detections() -> list[tuple[str, str]]:
    return [(path.stem, text) for path in sorted(DATA.glob("*.yaml"))
            for text in yaml.safe_load(path.read_text(encoding="utf-8")).get("language", [])]


CASES = _cases()


@pytest.mark.parametrize(("lang", "case"), CASES, ids=[f"{lang}-{c['name']}" for lang, c in CASES])
def test_sentences_of_every_language(lang: str, case: dict[str, Any]) -> None:
    flags = flags_for(BASE, [*BASE, case["text"]])
    found = {str(f.category) for f in flags}
    for category in case.get("flags", []):
        assert category in found, (case["text"], flags)
        flag = next(f for f in flags if f.category == category)
        assert flag.language == lang and flag.evidence and 0 < flag.score <= 1
    for category in case.get("lacks", []):
        assert category not in found, (case["text"], flags)


def test_every_pack_has_example_sentences() -> None:
    from monitor.classify.languages import PACKS
    assert {path.stem for path in DATA.glob("*.yaml")} == set(PACKS)


def test_list_item_inherits_the_ban_of_its_lead_in() -> None:
    new = [*BASE, "You agree not to:", "- copy our pages", "- use anything taken from the site to train AI models"]
    cats = categories(BASE, new)
    assert Category.AI_SCRAPING_BAN in cats and Category.AI_TRAINING not in cats


def test_modified_clause_only_counts_what_the_edit_added() -> None:
    old = [*BASE, "We use your data to train our AI models. Contact us at any time."]
    new = [*BASE, "We use your data to train our AI models. Contact us at any time by e-mail."]
    assert Category.AI_TRAINING not in categories(old, new)


def test_opt_out_in_the_section_gets_flag_dates_and_hint() -> None:
    new = ["# Politique", "Mise à jour le 2 septembre 2025.", "## IA",
           "À compter du 3 novembre 2025, nous utiliserons vos publications pour entraîner nos modèles d'IA "
           "générative.",
           "Vous pouvez vous y opposer jusqu'au 2 novembre dans Préférences > Confidentialité des données > "
           "Données pour l'IA générative."]
    old = ["# Politique", "Mise à jour le 2 septembre 2025."]
    flags = flags_for(old, new)
    cats = {f.category for f in flags}
    assert {Category.AI_TRAINING, Category.AI_OPT_OUT} <= cats
    dates = {(d.date.isoformat(), d.role) for f in flags for d in f.dates}
    assert ("2025-11-03", DateRole.EFFECTIVE) in dates
    assert ("2025-11-02", DateRole.DEADLINE) in dates
    hints = {f.opt_out for f in flags if f.category is Category.AI_TRAINING}
    assert hints == {"Préférences > Confidentialité des données > Données pour l'IA générative"}


def test_document_level_effective_line_reaches_the_flag() -> None:
    old = ["# Terms", "Effective Date: January 1, 2024", "We provide the service."]
    new = ["# Terms", "Effective Date: March 31, 2025", "We provide the service.",
           "We may use your content to develop and improve our machine learning models."]
    flags = flags_for(old, new)
    assert any(d.date.isoformat() == "2025-03-31" and d.role is DateRole.EFFECTIVE
               for f in flags for d in f.dates)


def test_removed_opt_out_is_flagged_as_removed() -> None:
    old = [*BASE, "You can opt out of AI training in Settings > Privacy > AI training."]
    flags = flags_for(old, BASE)
    assert [(f.category, f.clause_kind) for f in flags] == [(Category.AI_OPT_OUT, ClauseKind.REMOVED)]


def test_plain_changes_give_no_flags() -> None:
    new = [*BASE, "We may share your data with payment providers.", "Our staff training covers security."]
    assert flags_for(BASE, new) == []


def test_configured_language_is_used() -> None:
    flags = flags_for(BASE, [*BASE, "We may use your posts to train our AI models."], language="en-GB")
    assert {f.language for f in flags} == {"en"}


DETECTIONS = _detections()


@pytest.mark.parametrize(("lang", "text"), DETECTIONS, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(DETECTIONS)])
def test_detect_language(lang: str, text: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_without_letters() -> None:
    assert detect_language("12 34 !!") is None


def test_two_hundred_kb_change_is_classified() -> None:
    """Behaviour on a large change; its speed is measured in bench/, not asserted here."""
    paragraph = ("We may use your personal data to develop and train artificial intelligence models, effective "
                 "November 3, 2025. We also process payment data to provide the service and prevent fraud. ")
    new = ["# Policy"] + [f"{i}. {paragraph}" if i % 50 == 0 else f"Clause {i}: " + "plain text " * 60
                          for i in range(330)]
    assert sum(map(len, new)) > 200_000
    diff = diff_clauses([], new)
    flags = classify(diff, new, now=NOW)
    training = [f for f in flags if f.category == "ai_training"]
    assert len(training) == 7           # clauses 0, 50, ..., 300
    assert all(d.date.isoformat() == "2025-11-03" for f in training for d in f.dates)


def test_table_cell_list_item_is_read_with_its_lead_in() -> None:
    cell = ("To improve our service and create new features and services, including: * Running focus groups * "
            "Developing and improving new features and services, including through machine learning and other "
            "technologies, and testing them out * Conducting research | * Our legitimate interest")
    assert Category.AI_TRAINING in categories(BASE, [*BASE, cell])


def test_item_with_its_own_verb_takes_no_verb_from_the_lead_in() -> None:
    new = [*BASE, "All moderators receive mandatory training. This training ensures that moderators are equipped to:",
           "1. Recognize harmful content.", "2. Use AI detection tools and reporting workflows effectively."]
    assert Category.AI_TRAINING not in categories(BASE, new)


def test_item_without_a_verb_takes_the_verb_of_its_lead_in() -> None:
    new = [*BASE, "We use your public posts to train and improve:", "- our generative AI models;", "- our ads."]
    flags = flags_for(BASE, new)
    assert any(f.category is Category.AI_TRAINING and "AI models" in f.clause for f in flags)


def test_heading_is_never_flagged_alone() -> None:
    assert flags_for(BASE, [*BASE, "## 3b. KI-Assistent"]) == []
    assert flags_for(BASE, [*BASE, "## How we train our AI models"]) == []


def test_reworded_training_clause_adds_nothing_but_a_new_ai_object_does() -> None:
    old = [*BASE, "For example, we use your interactions with Bard to train and improve machine learning models."]
    renamed = [*BASE, "For example, we use your interactions with Gemini Apps to train and improve machine learning "
                      "models."]
    assert Category.AI_TRAINING not in categories(old, renamed)
    widened = [*BASE, "For example, we use your interactions with Bard to train and improve generative AI models."]
    assert Category.AI_TRAINING in categories(old, widened)


def test_detection_reads_acronyms_and_urls_as_no_language() -> None:
    assert detect_language("Maak dan bezwaar via Instellingen > Privacy > AI-training.") == "nl"
    assert detect_language("Effective 12 January 2026 [Previous Version](https://example.com/a/o/e/de/la)") == "en"


def test_detection_loads_no_model() -> None:
    import sys
    detect_language("Les données de paiement sont conservées en Europe, de même que les sauvegardes.")
    assert "py3langid" not in sys.modules


def test_objection_refers_back_to_a_training_announcement_made_before_it() -> None:
    training = "We will use your public posts to train our generative AI models."
    objection = "You have the right to withdraw your consent at any time."
    before = flags_for(["# Privacy"], ["# Privacy", objection, training])
    after = flags_for(["# Privacy"], ["# Privacy", training, objection])
    assert Category.AI_OPT_OUT not in {f.category for f in before}
    assert Category.AI_OPT_OUT in {f.category for f in after}
