"""The classifier on hand-written changes: categories, word-sense traps, language, dates and hints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.classify import classify, detect_language
from monitor.diff import diff_clauses
from monitor.models import Category, ClauseKind, DateRole

NOW = datetime(2025, 9, 18, tzinfo=UTC)


def flags_for(old: list[str], new: list[str], language: str | None = None):
    return classify(diff_clauses(old, new), new, language=language, now=NOW)


def categories(old: list[str], new: list[str], language: str | None = None) -> set[Category]:
    return {f.category for f in flags_for(old, new, language)}


BASE = ["# Privacy", "We process your data to provide the service."]

TRAINING = [
    ("en", "We may use your posts and comments to train and improve our generative AI models."),
    ("fr", "Nous utiliserons vos publications publiques pour entraîner nos modèles d'intelligence artificielle."),
    ("de", "Wir verwenden deine öffentlichen Beiträge, um generative KI-Modelle zu trainieren."),
    ("es", "Utilizaremos tus fotos para entrenar nuestros modelos de inteligencia artificial."),
    ("it", "Utilizzeremo le registrazioni vocali per addestrare i nostri modelli di intelligenza artificiale."),
    ("nl", "Wij gebruiken je gesprekken om de taalmodellen achter de app te trainen."),
    ("pt", "Poderemos utilizar as suas publicações para treinar modelos de inteligência artificial."),
    ("pl", "Wykorzystujemy zdjęcia użytkowników do trenowania modeli sztucznej inteligencji."),
    ("sv", "Vi använder dina inlägg för att träna våra AI-modeller."),
]


@pytest.mark.parametrize(("lang", "sentence"), TRAINING, ids=[lang for lang, _ in TRAINING])
def test_training_in_every_language(lang: str, sentence: str) -> None:
    flags = flags_for(BASE, [*BASE, sentence])
    training = [f for f in flags if f.category is Category.AI_TRAINING]
    assert training, flags
    assert training[0].language == lang
    assert training[0].evidence and 0 < training[0].score <= 1


NOT_TRAINING = [
    ("negated", "Zoom does not use any of your audio or chat content to train artificial intelligence models."),
    ("negated-de", "Ihre Texte werden nicht zum Training von KI-Modellen verwendet."),
    ("negated-sv", "Frågorna används inte för att träna eller förbättra AI-modeller."),
    ("phone-model", "We collect your device model and operating system version."),
    ("staff-training", "Our staff receive regular training on data protection."),
    ("fr-modele", "Un modèle de lettre de rétractation figure en annexe."),
    ("fr-en-train", "Nous sommes en train de mettre à jour nos conditions."),
    ("feature", "Our AI assistant answers your questions about your bookings."),
    ("scraping", "You may not scrape our content or use it to train artificial intelligence models."),
    ("user-fine-tunes", "We provide you with functionality via the Services to fine-tune Llama AI models."),
]


@pytest.mark.parametrize(("name", "sentence"), NOT_TRAINING, ids=[n for n, _ in NOT_TRAINING])
def test_word_sense_traps_are_not_training(name: str, sentence: str) -> None:
    assert Category.AI_TRAINING not in categories(BASE, [*BASE, sentence])


def test_scraping_ban_and_feature_are_told_apart() -> None:
    assert Category.AI_SCRAPING_BAN in categories(
        BASE, [*BASE, "You may not scrape our content or use it to train artificial intelligence models."])
    assert Category.AI_SCRAPING_BAN in categories(
        BASE, [*BASE, "Het is niet toegestaan om inhoud van ons platform te scrapen of te gebruiken om "
                      "modellen voor kunstmatige intelligentie te trainen."])
    assert Category.AI_FEATURE in categories(
        BASE, [*BASE, "Our AI assistant answers your questions about your bookings."])


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
    flags = flags_for(BASE, [*BASE, TRAINING[0][1]], language="en-GB")
    assert {f.language for f in flags} == {"en"}


@pytest.mark.parametrize(("text", "lang"), [
    ("Nous utilisons vos données pour fournir le service et assurer sa sécurité.", "fr"),
    ("Wir verarbeiten Ihre Daten, um den Dienst bereitzustellen.", "de"),
    ("Utilizziamo i tuoi dati per fornire il servizio.", "it"),
    ("Vi behandlar dina personuppgifter för att tillhandahålla tjänsten.", "sv"),
    ("Przetwarzamy Twoje dane, aby świadczyć usługę.", "pl"),
])
def test_detect_language(text: str, lang: str) -> None:
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
