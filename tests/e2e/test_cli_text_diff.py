"""`tosmon text` and `tosmon diff` on versions made by real checks of a loopback page."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.e2e.test_cli_reading import AI_CLAUSE, BASE, html

V2 = BASE + [AI_CLAUSE]
V3 = [BASE[0], "These terms apply to everyone who uses the service, its apps and its website.", AI_CLAUSE]


@pytest.fixture
def three_versions(page_server, write_watchlist, run_cli, db_path):
    write_watchlist(f"services:\n  alpha:\n    name: Alpha\n    documents:\n      terms:\n"
                    f"        url: {page_server.url('/a')}\n")
    for clauses in (BASE, V2, V3):
        page_server.set("/a", html(clauses))
        assert run_cli("check").exit_code == 0
    with sqlite3.connect(db_path) as conn:  # date the versions apart, as months of checks would
        for number, day in ((1, "2025-01-10"), (2, "2025-03-10"), (3, "2025-06-10")):
            conn.execute("UPDATE versions SET created_at = ? WHERE number = ?", [f"{day}T12:00:00Z", number])
    return run_cli


def test_text_latest_by_number_and_at_date(three_versions):
    run = three_versions
    assert run("text", "alpha/terms").stdout.splitlines() == V3
    assert run("text", "alpha/terms", "--version", "1").stdout.splitlines() == BASE
    assert run("text", "alpha/terms", "--at", "2025-03-10").stdout.splitlines() == V2   # that whole day
    assert run("text", "alpha/terms", "--at", "2025-03-09").stdout.splitlines() == BASE
    data = json.loads(run("text", "alpha/terms", "--version", "2", "--json").stdout)
    assert data["version"] == 2 and data["clauses"] == V2 and data["created_at"] == "2025-03-10T12:00:00Z"
    early = run("text", "alpha/terms", "--at", "2024-01-01")
    assert early.exit_code == 2 and "no version yet at 2024-01-01" in early.stderr
    both = run("text", "alpha/terms", "--version", "1", "--at", "2025-03-10")
    assert both.exit_code == 2 and "not both" in both.stderr


def test_diff_any_two_versions_renders_like_show(three_versions):
    run = three_versions
    # Consecutive versions: the same clause lines as `show` of the stored change.
    change_id = json.loads(run("log", "--json").stdout)[-1]["id"]
    shown = run("show", str(change_id)).stdout.split("\n\n")[-1]
    assert run("diff", "alpha/terms", "1", "2").stdout.rstrip("\n").endswith(shown.rstrip("\n"))
    # Versions 1 and 3 were never compared by a check.
    out = run("diff", "alpha/terms", "1", "3").stdout
    assert out.startswith("alpha/terms  versions 1 -> 3")
    assert "+1 -1 ~1" in out and f"+ {AI_CLAUSE}" in out and f"- {BASE[2]}" in out
    assert "~ These terms apply to everyone who uses the service{+, its apps+} and its [-apps-]{+website+}." in out
    backwards = json.loads(run("diff", "alpha/terms", "3", "1", "--json").stdout)
    assert (backwards["from_version"], backwards["to_version"]) == (3, 1)
    assert (backwards["added"], backwards["removed"], backwards["modified"]) == (1, 1, 1)
    assert {c["kind"] for c in backwards["clauses"]} == {"added", "removed", "modified"}
    side = run("diff", "alpha/terms", "1", "3", "--side-by-side").stdout
    assert " | " in side
    same = run("diff", "alpha/terms", "2", "2")
    assert same.exit_code == 0 and "(no clause differs)" in same.stdout
    missing = run("diff", "alpha/terms", "1", "9")
    assert missing.exit_code == 2 and missing.stderr.strip() == "error: no version 9 of alpha/terms (versions 1 to 3)"
