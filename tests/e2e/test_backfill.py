"""`tosmon backfill` from a git repository of versions (built here, Open Terms Archive style) and from a
folder of dated snapshots, through the real CLI and a real database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "cases"
CASE = CORPUS / "linkedin-privacy-eu-2025-09"
FILE = "LinkedIn/Privacy Policy.md"
DOC = "linkedin/privacy-policy"
MID_PARAGRAPH = "You can reach our Data Protection Officer by post at our Dublin office."

pytestmark = [
    pytest.mark.skipif(not (CASE / "before.md").exists(), reason="shared corpus absent"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git not installed"),
]


def _git(repo: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "OTA-Bot", "GIT_AUTHOR_EMAIL": "bot@example.org",
           "GIT_COMMITTER_NAME": "OTA-Bot", "GIT_COMMITTER_EMAIL": "bot@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _commit(repo: Path, text: str, title: str, date: str) -> None:
    target = repo / FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    _git(repo, "add", FILE)
    _git(repo, "commit", "-q", "-m", title, date=date)


def build_versions_repo(repo: Path) -> None:
    """Five commits; the third in topology is dated between the first two, so only commit-date order gives
    before -> mid -> after; then a technical upgrade that changes the text without a real change, and a
    refilter that leaves the clauses as they were."""
    before = (CASE / "before.md").read_text(encoding="utf-8")
    after = (CASE / "after.md").read_text(encoding="utf-8")
    mid = before.rstrip("\n") + "\n\n" + MID_PARAGRAPH + "\n"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _commit(repo, before, "First record of LinkedIn Privacy Policy", "2025-08-01T00:34:40+00:00")
    _commit(repo, after, "Record new changes of LinkedIn Privacy Policy", "2025-09-18T12:34:39+00:00")
    _commit(repo, mid, "Record new changes of LinkedIn Privacy Policy", "2025-08-20T09:00:00+00:00")
    _commit(repo, after + "\nSee also our Cookie Policy.\n",
            "Apply technical or declaration upgrade on LinkedIn Privacy Policy", "2025-10-01T08:00:00+00:00")
    _commit(repo, after + "\nSee also our Cookie Policy.\n\n\n",      # same clauses: no version at all
            "Refilter LinkedIn Privacy Policy", "2025-10-02T08:00:00+00:00")


def _json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_git_backfill_versions_changes_dates_and_flags(tmp_path, run_cli):
    repo = tmp_path / "pga-versions"
    build_versions_repo(repo)
    assert not (tmp_path / "watchlist.yaml").exists()        # the document need not be in a watchlist

    first = run_cli("backfill", "--git", str(repo), "--path", FILE, "--document", DOC)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == f"{DOC}: 4 versions, 2 changes, 1 technical, 1 already present or unchanged"

    history = _json(run_cli("history", DOC, "--json"))
    assert [(v["version"], v["created_at"], v["technical"]) for v in history] == [
        (1, "2025-08-01T00:34:40Z", False),
        (2, "2025-08-20T09:00:00Z", False),
        (3, "2025-09-18T12:34:39Z", False),
        (4, "2025-10-01T08:00:00Z", True),
    ]

    changes = _json(run_cli("log", "--document", DOC, "--json"))
    assert [(c["from_version"], c["to_version"], c["detected_at"]) for c in changes] == [
        (2, 3, "2025-09-18T12:34:39Z"),                        # newest first
        (1, 2, "2025-08-20T09:00:00Z"),
    ]
    mid, ai = changes[1], changes[0]
    assert (mid["added"], mid["removed"], mid["modified"], mid["flags"]) == (1, 0, 0, [])
    assert {f["category"] for f in ai["flags"]} >= {"ai_training", "ai_opt_out"}

    flagged = _json(run_cli("log", "--flagged", "--json"))
    assert [c["id"] for c in flagged] == [ai["id"]]

    flags = _json(run_cli("flags", "--json"))
    training = [f for f in flags if f["category"] == "ai_training"]
    assert training and all(f["document"] == DOC and f["change"] == ai["id"] for f in training)
    assert {"date": "2025-11-03", "role": "effective"} in [
        {"date": d["date"], "role": d["role"]} for f in training for d in f["dates"]]

    again = run_cli("backfill", "--git", str(repo), "--path", FILE, "--document", DOC)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == f"{DOC}: 0 versions, 0 changes, 0 technical, 5 already present or unchanged"
    assert len(_json(run_cli("history", DOC, "--json"))) == 4
    assert len(_json(run_cli("log", "--json"))) == 2


def test_backfill_is_silent_without_alert(tmp_path, run_cli, write_watchlist):
    """A watchlist with a webhook, and a document that is not in it: no delivery is queued by default."""
    write_watchlist("alerts:\n  webhooks:\n    - name: ops\n      url: http://127.0.0.1:9/hook\n"
                    "services:\n  example:\n    documents:\n      terms:\n        url: https://example.com/t\n")
    repo = tmp_path / "pga-versions"
    build_versions_repo(repo)
    result = run_cli("backfill", "--git", str(repo), "--path", FILE, "--document", DOC)
    assert result.exit_code == 0, result.output
    assert _json(run_cli("alerts", "--json")) == []
    assert len(_json(run_cli("log", "--json"))) == 2


def test_dir_backfill_with_dated_files(tmp_path, run_cli):
    folder = tmp_path / "snapshots"
    folder.mkdir()
    shutil.copy(CASE / "before.md", folder / "2025-08-01.md")
    shutil.copy(CASE / "after.md", folder / "2025-09-18T12-34-39Z.md")
    (folder / "README.txt").write_text("not a snapshot", encoding="utf-8")      # other suffixes are skipped

    result = run_cli("backfill", "--dir", str(folder), "--document", DOC)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{DOC}: 2 versions, 1 changes, 0 technical, 0 already present or unchanged"
    changes = _json(run_cli("log", "--flagged", "--json"))
    assert [c["detected_at"] for c in changes] == ["2025-09-18T12:34:39Z"]
    assert "ai_training" in {f["category"] for f in changes[0]["flags"]}

    again = run_cli("backfill", "--dir", str(folder), "--document", DOC)
    assert again.stdout.strip() == f"{DOC}: 0 versions, 0 changes, 0 technical, 2 already present or unchanged"


def test_dir_backfill_html_snapshots(tmp_path, run_cli):
    folder = tmp_path / "html"
    folder.mkdir()
    page = ("<html><body><nav>Menu</nav><main><h1>Terms</h1><p>Be kind to the other members of this community at all times.</p>{extra}</main>"
            "<footer>(c) Example</footer></body></html>")
    (folder / "2024-01-31.html").write_text(page.format(extra=""), encoding="utf-8")
    (folder / "2024-03-01.html").write_text(page.format(extra="<p>No spam.</p>"), encoding="utf-8")
    result = run_cli("backfill", "--dir", str(folder), "--document", "example/terms")
    assert result.exit_code == 0, result.output
    changes = _json(run_cli("log", "--json"))
    assert [(c["document"], c["detected_at"], c["added"]) for c in changes] == [
        ("example/terms", "2024-03-01T00:00:00Z", 1)]
    show = _json(run_cli("show", str(changes[0]["id"]), "--json"))
    assert [(c["kind"], c["new"]) for c in show["clauses"]] == [("added", "No spam.")]


def test_bad_dir_name_is_an_error(tmp_path, run_cli):
    folder = tmp_path / "snapshots"
    folder.mkdir()
    (folder / "latest.md").write_text("# Terms\n", encoding="utf-8")
    result = run_cli("backfill", "--dir", str(folder), "--document", DOC)
    assert result.exit_code == 2
    assert "file name is not an ISO date" in result.stderr
