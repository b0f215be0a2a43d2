"""Living flags end to end: an objection deadline that a later version moves is flagged as a modification
(old -> new date, in `log --json`, `show` and the clause.flagged webhook), the superseded flag is marked in
`flags`, and `flags --upcoming` shows only the current deadline. Real loopback pages, real SQLite, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import markdown

YEAR = datetime.now(UTC).year + 2          # deadlines stay ahead whenever the test runs


def html(md_text: str) -> str:
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Terms</title></head><body>"
            f"<main>{markdown.markdown(md_text)}</main></body></html>")


BASE = ("# Terms of Service\n\n## Your account\n\nYou must keep your password safe.\n\n"
        "You are responsible for what you post.\n\n")
AI = ("## Your content and AI\n\nWe use your public posts and photos to train our generative AI models.\n\n")
OLD = f"You can object before 14 January {YEAR} in Settings > Privacy > AI training.\n"
NEW = (f"You can object at any time, and before 31 January {YEAR} to exclude past content, in Settings > "
       "Privacy > AI training.\n")


def test_moved_deadline_is_a_modification_and_upcoming_shows_only_the_current_one(
        page_server, write_watchlist, run_cli, make_receiver):
    receiver = make_receiver()
    page_server.set("/terms", html(BASE))
    write_watchlist(
        f"alerts:\n  webhooks:\n    - name: ops\n      url: {receiver.url}\n      secret_env: HOOK_SECRET\n"
        "      events: [clause.flagged]\n"
        f"services:\n  svc:\n    documents:\n      terms:\n        url: {page_server.url('/terms')}\n")
    env = {"HOOK_SECRET": "s3cret"}
    assert run_cli("check", env=env).exit_code == 0                    # v0: the baseline
    page_server.set("/terms", html(BASE + AI + OLD))
    assert "changed" in run_cli("check", env=env).stdout               # v1: training clause + deadline
    page_server.set("/terms", html(BASE + AI + NEW))
    result = run_cli("check", env=env)                                  # v2: the deadline moves
    assert result.exit_code == 0 and "changed" in result.stdout, result.output

    log = json.loads(run_cli("log", "--json").stdout)
    assert len(log) == 2
    latest, first = log
    [moved] = [f for f in latest["flags"] if f["category"] == "ai_opt_out"]
    assert moved["modified"] is True and moved["clause_kind"] == "modified"
    assert [(d["date"], d["role"]) for d in moved["dates"]] == [(f"{YEAR}-01-31", "deadline")]
    assert [(d["date"], d["role"]) for d in moved["previous_dates"]] == [(f"{YEAR}-01-14", "deadline")]
    assert moved["clause"].startswith("You can object at any time")

    shown = run_cli("show", str(latest["id"])).stdout
    assert f"deadline {YEAR}-01-14 → deadline {YEAR}-01-31" in shown and "modified clause" in shown

    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["event"] for b in bodies] == ["clause.flagged", "clause.flagged"]
    [hooked] = [f for f in bodies[1]["change"]["flags"] if f["category"] == "ai_opt_out"]
    assert hooked["modified"] is True and hooked["previous_dates"][0]["date"] == f"{YEAR}-01-14"

    everything = json.loads(run_cli("flags", "--json").stdout)
    old_opt_out = [f for f in everything if f["change"] == first["id"] and f["category"] == "ai_opt_out"]
    assert old_opt_out and all(f["superseded_by"] == latest["id"] for f in old_opt_out)
    unchanged = [f for f in everything if f["clause"].startswith("We use your public posts")]
    assert unchanged and all(f["superseded_by"] is None for f in unchanged)   # its clause did not change
    assert all(f["superseded_by"] == latest["id"] for f in everything if f["clause"] == OLD.strip())
    assert f"superseded by #{latest['id']}" in run_cli("flags").stdout

    upcoming = json.loads(run_cli("flags", "--upcoming", "--json").stdout)
    assert {f["next_date"]["date"] for f in upcoming} == {f"{YEAR}-01-31"}
    assert all(f["change"] == latest["id"] and "at any time" in f["clause"] for f in upcoming)


def test_backfilled_year_less_deadline_takes_the_year_of_its_version(tmp_path, run_cli):
    """A 2024 snapshot saying "until 3 November" gets 2024-11-03 — never a year counted from today."""
    folder = tmp_path / "snapshots"
    folder.mkdir()
    (folder / "2024-01-10.md").write_text(BASE, encoding="utf-8")
    (folder / "2024-05-02.md").write_text(
        BASE + AI + "You can object until 3 November in Settings > Privacy > AI training.\n", encoding="utf-8")
    result = run_cli("backfill", "--dir", str(folder), "--document", "svc/terms")
    assert result.exit_code == 0, result.output
    [change] = json.loads(run_cli("log", "--flagged", "--json").stdout)
    days = {d["date"] for f in change["flags"] for d in f["dates"]}
    assert days == {"2024-11-03"}
    assert json.loads(run_cli("flags", "--upcoming", "--json").stdout) == []   # long past, wherever "now" is
