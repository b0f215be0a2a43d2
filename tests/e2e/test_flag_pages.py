"""The reason tosmon exists: the LinkedIn EU notice of September 2025, and a French notice whose deadline has
no year, served as web pages and checked through the CLI, come out as flags with the right dates."""

from __future__ import annotations

import json
from pathlib import Path

import markdown
import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "cases"


def html(md_text: str) -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Notice</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><main>{markdown.markdown(md_text)}</main></body></html>")


def check_pair(page_server, write_watchlist, run_cli, before: str, after: str) -> list[dict]:
    page_server.set("/notice", html(before))
    write_watchlist(f"services:\n  svc:\n    documents:\n      privacy:\n        url: {page_server.url('/notice')}\n")
    assert run_cli("check").exit_code == 0
    page_server.set("/notice", html(after))
    result = run_cli("check")
    assert result.exit_code == 0 and "changed" in result.stdout, result.output
    return json.loads(run_cli("flags", "--json").stdout)


@pytest.mark.skipif(not (CORPUS / "linkedin-privacy-eu-2025-09").is_dir(), reason="corpus not available")
def test_linkedin_eu_2025_09(page_server, write_watchlist, run_cli):
    case = CORPUS / "linkedin-privacy-eu-2025-09"
    flags = check_pair(page_server, write_watchlist, run_cli, (case / "before.md").read_text(encoding="utf-8"),
                       (case / "after.md").read_text(encoding="utf-8"))
    training = [f for f in flags if f["category"] == "ai_training"]
    assert training, flags
    dates = [(d["date"], d["role"]) for f in training for d in f["dates"]]
    assert ("2025-11-03", "effective") in dates
    # "You can opt out any time in your settings": only the link says where
    assert {f["opt_out"] for f in training} == {
        "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"}


def test_french_deadline_without_year(page_server, write_watchlist, run_cli):
    before = ("# Politique de confidentialité\n\nMise à jour le 2 septembre 2025.\n\n"
              "## Vos données\n\nNous traitons vos données pour fournir le service et assurer sa sécurité.\n\n"
              "Vous pouvez demander l'accès à vos données à tout moment.\n")
    after = ("# Politique de confidentialité\n\nMise à jour le 2 septembre 2025.\n\n"
             "## Vos données\n\nNous traitons vos données pour fournir le service et assurer sa sécurité.\n\n"
             "Vous pouvez demander l'accès à vos données à tout moment.\n\n"
             "## Intelligence artificielle\n\n"
             "À compter du 3 novembre 2025, nous utiliserons vos publications publiques pour entraîner nos "
             "modèles d'intelligence artificielle générative. Vous pouvez vous y opposer jusqu'au 2 novembre "
             "dans Préférences > Confidentialité des données > Données pour l'amélioration de l'IA générative.\n")
    flags = check_pair(page_server, write_watchlist, run_cli, before, after)
    dates = {(d["date"], d["role"]) for f in flags for d in f["dates"]}
    assert ("2025-11-03", "effective") in dates
    assert ("2025-11-02", "deadline") in dates
    assert any(f["category"] == "ai_training" for f in flags)
    assert any("Préférences" in (f["opt_out"] or "") for f in flags)
