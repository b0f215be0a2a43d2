"""The reading commands on a database built by real checks (no hand-inserted rows): filters, --json shapes,
plain piped output, Atom, CSV and search."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

ATOM = "{http://www.w3.org/2005/Atom}"
ANSI = re.compile(r"\x1b\[")
CHANGE_KEYS = {"id", "document", "service", "url", "detected_at", "from_version", "to_version", "added",
               "removed", "modified", "flags", "links"}
FLAG_KEYS = {"category", "score", "language", "clause", "dates", "opt_out"}

BASE = ["# Terms", "These terms apply to everyone who uses the service and its apps.",
        "You must be at least sixteen years old to open an account with us."]
AI_CLAUSE = ("From March 1, 2027, we use your public posts to train our generative AI models. You can object in "
             "Settings > Privacy > AI training.")


def html(clauses: list[str]) -> str:
    body = "".join(f"<h1>{c[2:]}</h1>" if c.startswith("# ") else f"<p>{c}</p>" for c in clauses)
    return f"<html><head><title>T</title></head><body><main>{body}</main></body></html>"


@pytest.fixture
def built(page_server, write_watchlist, run_cli):
    """Two services, three changes, one of them flagged, made by three rounds of `tosmon check`."""
    page_server.set("/a", html(BASE))
    page_server.set("/b", html(BASE[:1] + ["Payments are due within thirty days of the invoice date for all plans."]))
    write_watchlist(f"services:\n  alpha:\n    name: Alpha\n    documents:\n      terms:\n        url: {page_server.url('/a')}\n"
                    f"  beta:\n    name: Beta\n    documents:\n      terms:\n        url: {page_server.url('/b')}\n")
    assert run_cli("check").exit_code == 0
    page_server.set("/a", html(BASE + [AI_CLAUSE]))
    page_server.set("/b", html(BASE[:1] + ["Payments are due within sixty days of the invoice date for all plans."]))
    assert run_cli("check").exit_code == 0
    page_server.set("/a", html(BASE + [AI_CLAUSE, "Quarterly newsletters describe new features of the apps."]))
    assert run_cli("check").exit_code == 0
    return run_cli


def test_log_filters_and_json_shape(built):
    run = built
    log = json.loads(run("log", "--json").stdout)
    # Two documents are checked concurrently, so changes of one round may come in either order.
    assert sorted(c["document"] for c in log) == ["alpha/terms", "alpha/terms", "beta/terms"]
    assert [(c["detected_at"], c["id"]) for c in log] == sorted(((c["detected_at"], c["id"]) for c in log),
                                                                 reverse=True)  # newest first
    for change in log:
        assert set(change) == CHANGE_KEYS
        for flag in change["flags"]:
            assert FLAG_KEYS <= set(flag)
    flagged = json.loads(run("log", "--flagged", "--json").stdout)
    assert len(flagged) == 1 and flagged[0]["flags"][0]["category"] == "ai_training"
    assert flagged[0]["flags"][0]["dates"][0] == {"text": "March 1, 2027", "date": "2027-03-01", "role": "effective"}
    assert json.loads(run("log", "--category", "ai_training", "--json").stdout) == flagged
    assert [c["document"] for c in json.loads(run("log", "--service", "Beta", "--json").stdout)] == ["beta/terms"]
    assert len(json.loads(run("log", "--document", "alpha/terms", "--limit", "1", "--json").stdout)) == 1
    assert json.loads(run("log", "--since", "1d", "--json").stdout) == log
    assert json.loads(run("log", "--until", "2000-01-01", "--json").stdout) == []
    bad = run("log", "--since", "yesterday")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_piped_output_is_plain(built):
    run = built
    change_id = json.loads(run("log", "--flagged", "--json").stdout)[0]["id"]
    for args in (["log"], ["show", str(change_id)], ["show", str(change_id), "--side-by-side"], ["status"],
                 ["flags"], ["history", "alpha/terms"], ["search", "invoice"], ["alerts"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert not ANSI.search(result.stdout), args
    line = run("log", "--flagged").stdout.strip()
    assert re.fullmatch(rf"#{change_id}\s+\d{{4}}-\d\d-\d\d  alpha/terms  \+1 -0 ~0  ⚑ ai_training \(effective 2027-03-01\).*", line)


def test_show_json_and_text(built):
    run = built
    beta = json.loads(run("log", "--service", "beta", "--json").stdout)[0]
    shown = json.loads(run("show", str(beta["id"]), "--json").stdout)
    assert CHANGE_KEYS <= set(shown)
    [clause] = shown["clauses"]
    assert clause["kind"] == "modified" and [-1, "thirty"] in clause["segments"] and [1, "sixty"] in clause["segments"]
    text = run("show", str(beta["id"])).stdout
    assert "~ Payments are due within [-thirty-]{+sixty+} days" in text


def test_flags_upcoming(built):
    run = built
    upcoming = json.loads(run("flags", "--upcoming", "--json").stdout)
    assert upcoming and upcoming[0]["next_date"]["date"] == "2027-03-01"
    assert upcoming[0]["next_date"]["days_left"] > 0
    assert upcoming[0]["opt_out"] == "Settings > Privacy > AI training"


def test_search_finds_a_phrase_only_one_version_has(built):
    run = built
    hits = json.loads(run("search", '"sixty days"', "--json").stdout)
    assert [(h["document"], h["version"], h["kind"]) for h in hits] == [("beta/terms", 2, "modified")]
    hits = json.loads(run("search", "thirty", "--json").stdout)
    assert ("beta/terms", 1, "version") in [(h["document"], h["version"], h["kind"]) for h in hits]


def test_exports(built, tmp_path):
    run = built
    log = json.loads(run("log", "--json").stdout)
    out = tmp_path / "feed.atom"
    assert run("export", "--format", "atom", "--output", str(out)).exit_code == 0
    feed = ET.parse(out).getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(log) == 3
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert sum(t.startswith("⚑") for t in titles) == 1
    assert all(e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}updated") for e in entries)

    assert json.loads(run("export", "--format", "json").stdout) == log

    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert len(rows) == 4  # a row per flag of the flagged change (training, opt-out), one per unflagged change
    flagged = [(r["document"], r["category"], r["effective"], r["opt_out"]) for r in rows if r["category"]]
    assert flagged == [("alpha/terms", "ai_training", "2027-03-01", "Settings > Privacy > AI training"),
                       ("alpha/terms", "ai_opt_out", "2027-03-01", "Settings > Privacy > AI training")]
    assert [r["change_id"] for r in rows if not r["category"]] == [str(c["id"]) for c in log if not c["flags"]]
