"""Date finding and roles across languages, locales and year-less deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from monitor.classify.dates import extract_dates, find_dates
from monitor.models import DateRole

NOW = datetime(2025, 9, 18, tzinfo=UTC)
E, D, O = DateRole.EFFECTIVE, DateRole.DEADLINE, DateRole.OTHER

CASES = [
    ("fr", "À compter du 3 novembre 2025, nous utiliserons vos données.", [("2025-11-03", E)]),
    ("fr", "À compter du 1er\u00a0octobre\u00a02025, la licence inclut.", [("2025-10-01", E)]),
    ("fr", "au plus tard le 30 septembre 2025", [("2025-09-30", D)]),
    ("fr", "Date d’entrée en vigueur : 1er août 2023", [("2023-08-01", E)]),
    ("fr", "Mise à jour le 2 septembre 2025.", [("2025-09-02", O)]),
    ("en", "On November 3, 2025, we are updating this notice.", [("2025-11-03", E)]),
    ("en", "Effective Date: March 31, 2023", [("2023-03-31", E)]),
    ("en", "Last modified on 08/12/2026", [("2026-08-12", O)]),
    ("en", "Please object by 2 November 2025.", [("2025-11-02", D)]),
    ("de", "Ab dem 3. November 2025 verwenden wir.", [("2025-11-03", E)]),
    ("de", "Wenn du bis zum 26. Mai 2025 widersprichst", [("2025-05-26", D)]),
    ("de", "Ab dem 01.12.2025 nutzen wir. Stand: 20.10.2025", [("2025-12-01", E), ("2025-10-20", O)]),
    ("es", "A partir del 3 de noviembre de 2025, también utilizaremos.", [("2025-11-03", E)]),
    ("es", "A partir del 02/03/2026, mejorar el modelo.", [("2026-03-02", E)]),
    ("it", "dal 1° dicembre 2025, addestrare i modelli", [("2025-12-01", E)]),
    ("it", "Se ti opponi entro il 26 maggio 2025", [("2025-05-26", D)]),
    ("nl", "Vanaf 02-03-2026 gebruiken wij", [("2026-03-02", E)]),
    ("pt", "Se apresentar a sua oposição até 26 de maio de 2025", [("2025-05-26", D)]),
    ("pl", "od 3 listopada 2025 r. – trenowania modeli", [("2025-11-03", E)]),
    ("pl", "Od 02.03.2026 r. – trenowanie modelu", [("2026-03-02", E)]),
    ("sv", "Från och med 2025-11-03 använder vi", [("2025-11-03", E)]),
    ("sv", "Om du invänder senast den 26 maj 2025", [("2025-05-26", D)]),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_dates_and_roles(lang: str, text: str, expected: list[tuple[str, DateRole]]) -> None:
    found = [(d.date.isoformat(), d.role) for d in extract_dates(text, lang, now=NOW)]
    assert found == expected


def test_year_less_deadline_takes_the_year_of_the_other_dates() -> None:
    text = "À partir du 15 février 2026, nous entraînerons nos modèles. Refusez d'ici le 14 février."
    assert [(d.date.isoformat(), d.role) for d in extract_dates(text, "fr", now=NOW)] == [
        ("2026-02-15", E), ("2026-02-14", D)]


def test_year_less_date_uses_references_then_now() -> None:
    assert extract_dates("hasta el 30 de junio", "es", now=NOW, references=[date(2025, 7, 1)])[0].date == \
        date(2025, 6, 30)
    assert extract_dates("jusqu'au 3 mars", "fr", now=NOW)[0].date == date(2026, 3, 3)


def test_nonsense_dates_are_dropped() -> None:
    assert extract_dates("le 31 février 2025 et le 29 février 2025, 45/13/2025", "fr", now=NOW) == []


def test_text_is_kept_as_written() -> None:
    assert extract_dates("3. November 2025", "de", now=NOW)[0].text == "3. November 2025"


def test_an_english_numeric_date_read_both_ways_takes_the_reading_nearer_the_version() -> None:
    """English is written month-first and day-first: "09/08/2024" in a version of 10 July 2024 is 9 August
    (a month ahead), not 8 September; French and German stay day-first whatever the version's date."""
    version = datetime(2024, 7, 10, tzinfo=UTC)
    [found] = find_dates("This Privacy Policy applies from 09/08/2024.", "en", now=version)
    assert found.flag_date.date.isoformat() == "2024-08-09"
    [found] = find_dates("This Privacy Policy applies from 09/08/2024.", "en", now=datetime(2024, 9, 1, tzinfo=UTC))
    assert found.flag_date.date.isoformat() == "2024-09-08"
    [found] = find_dates("Applicable à partir du 07/08/2024.", "fr", now=datetime(2024, 7, 3, tzinfo=UTC))
    assert found.flag_date.date.isoformat() == "2024-08-07"
