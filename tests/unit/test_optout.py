"""Opt-out hints: settings paths, URLs and e-mail addresses given for objecting."""

from __future__ import annotations

import pytest

from monitor.classify.optout import find_opt_out, settings_path

CASES = [
    ("fr", "Vous pouvez vous y opposer dans Préférences et confidentialité > Confidentialité des données > "
           "Données pour l'amélioration de l'IA générative.",
     "Préférences et confidentialité > Confidentialité des données > Données pour l'amélioration de l'IA générative"),
    ("de", "Du kannst dem unter Einstellungen > Datenschutz > Daten für generative KI widersprechen.",
     "Einstellungen > Datenschutz > Daten für generative KI"),
    ("pl", "Możesz wnieść sprzeciw w aplikacji, wybierając Ustawienia > Prywatność > Trenowanie AI.",
     "Ustawienia > Prywatność > Trenowanie AI"),
    ("it", "Puoi opporti compilando il modulo all'indirizzo https://www.example.it/privacy/opposizione-ia.",
     "https://www.example.it/privacy/opposizione-ia"),
    ("fr", "Vous pouvez vous y opposer en écrivant à opposition-ia@example.fr au plus tard le 30 septembre.",
     "opposition-ia@example.fr"),
]


@pytest.mark.parametrize(("lang", "text", "hint"), CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
def test_hints(lang: str, text: str, hint: str) -> None:
    assert find_opt_out(text, lang) == hint


def test_no_cue_no_hint() -> None:
    assert find_opt_out("Sie können den Assistenten unter Einstellungen > Allgemein ausschalten.", "de") is None


def test_no_path() -> None:
    assert settings_path("3 > 2 is true") is None
    assert settings_path("no separators here") is None


def test_a_link_in_the_objection_sentence_gives_its_target():
    from monitor.classify.optout import linked_target

    links = {"settings": "https://example.com/settings/ai", "Member settings": "https://example.com/member",
             "set": "https://example.com/wrong"}
    assert linked_target("You can opt out any time in your settings.", links) == "https://example.com/settings/ai"
    assert linked_target("Object in your Member settings now", links) == "https://example.com/member"  # longest
    assert linked_target("Use the settlement form", links) is None          # whole words only
    assert linked_target("Nothing linked here", {}) is None
