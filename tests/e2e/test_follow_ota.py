"""Documents followed in git repositories of versions (`ota: {repo, path}`), built here in Open Terms
Archive's layout and commit conventions, served as a path, a file:// URL and through `git daemon` on
loopback; checked through the real CLI and the real daemon, against a real SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.sources import ota_git

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "cases"
CASE = CORPUS / "linkedin-privacy-eu-2025-09"
FILE = "LinkedIn/Privacy Policy.md"
DOC = "linkedin/privacy-policy"
MID_PARAGRAPH = "You can reach our Data Protection Officer by post at our Dublin office."
WALL = "# Just a moment...\n\nChecking if the site connection is secure. Enable JavaScript and cookies to continue.\n"

pytestmark = [
    pytest.mark.skipif(not (CASE / "before.md").exists(), reason="shared corpus absent"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git not installed"),
]

GIT_ENV = {"GIT_AUTHOR_NAME": "OTA-Bot", "GIT_AUTHOR_EMAIL": "bot@example.org", "GIT_COMMITTER_NAME": "OTA-Bot",
           "GIT_COMMITTER_EMAIL": "bot@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env, text=True)
    return done.stdout.strip()


def commit(repo: Path, files: dict[str, str | None], title: str, date: str) -> str:
    """Write (or, with None, delete) files and commit them; returns the commit's sha."""
    for name, text in files.items():
        target = repo / name
        if text is None:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", title, date=date)
    return git(repo, "rev-parse", "HEAD")


def corpus(name: str) -> str:
    return (CASE / name).read_text(encoding="utf-8")


def terms(n: int) -> str:
    return (f"# Terms of Use\n\nThese terms govern your use of the ChatGPT service, revision {n}.\n\n"
            "You keep the rights you have in your content. We may update these terms from time to time.\n")


def new_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


def build_versions_repo(repo: Path) -> None:
    """backfill's test history: out-of-order commit dates, a technical upgrade, a refilter, plus a second
    document in the same repository."""
    before, after = corpus("before.md"), corpus("after.md")
    mid = before.rstrip("\n") + "\n\n" + MID_PARAGRAPH + "\n"
    new_repo(repo)
    commit(repo, {FILE: before}, "First record of LinkedIn Privacy Policy", "2025-08-01T00:34:40+00:00")
    commit(repo, {FILE: after}, "Record new changes of LinkedIn Privacy Policy", "2025-09-18T12:34:39+00:00")
    commit(repo, {FILE: mid}, "Record new changes of LinkedIn Privacy Policy", "2025-08-20T09:00:00+00:00")
    commit(repo, {"ChatGPT/Terms of Use.md": terms(1)}, "First record of ChatGPT Terms of Use",
           "2025-09-20T10:00:00+00:00")
    commit(repo, {FILE: after + "\nSee also our Cookie Policy.\n"},
           "Apply technical or declaration upgrade on LinkedIn Privacy Policy", "2025-10-01T08:00:00+00:00")
    commit(repo, {FILE: after + "\nSee also our Cookie Policy.\n\n\n"},
           "Refilter LinkedIn Privacy Policy", "2025-10-02T08:00:00+00:00")


def watchlist(*docs: tuple[str, str, str], extra: str = "") -> str:
    """Watchlist YAML following (service/document, repo, path) triples."""
    services: dict[str, list[str]] = {}
    for doc_id, repo, path in docs:
        service, name = doc_id.split("/")
        services.setdefault(service, []).append(
            f"      {name}:\n        ota: {{repo: {json.dumps(repo)}, path: {json.dumps(path)}}}\n")
    return extra + "services:\n" + "".join(f"  {s}:\n    documents:\n" + "".join(d) for s, d in services.items())


def out(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def fresh_fetches() -> Iterator[None]:
    """Each CLI run in a test is a new process in real use: no fetch reused from another test's run."""
    ota_git.forget_fetches()
    yield
    ota_git.forget_fetches()


def check(run_cli, *args: str):
    """`tosmon check` as a new process would run it (no fetch reused from the previous run)."""
    ota_git.forget_fetches()
    return run_cli("check", *args)


# --- same as backfill --------------------------------------------------------------------------------------


@pytest.mark.parametrize("served", ["path", "file-url"])
def test_followed_document_gives_the_same_versions_and_changes_as_backfill(tmp_path, run_cli, write_watchlist,
                                                                           served):
    repo = tmp_path / "pga-versions"
    build_versions_repo(repo)
    source = str(repo) if served == "path" else repo.as_uri()
    write_watchlist(watchlist((DOC, source, FILE), ("chatgpt/terms-of-use", source, "ChatGPT/Terms of Use.md")))
    result = check(run_cli)
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.split()) == sorted(["linkedin/privacy-policy", "new", "chatgpt/terms-of-use", "new"])

    followed = {"history": out(run_cli("history", DOC, "--json")), "log": out(run_cli("log", "--document", DOC,
                                                                                      "--json"))}
    backfill_db = tmp_path / "backfill.db"
    env = {"TOSMON_DB": str(backfill_db), "TOSMON_WATCHLIST": str(tmp_path / "none.yaml")}
    done = run_cli("backfill", "--git", str(repo), "--path", FILE, "--document", DOC, env=env)
    assert done.stdout.strip() == f"{DOC}: 4 versions, 2 changes, 1 technical, 1 already present or unchanged"
    backfilled = {"history": out(run_cli("history", DOC, "--json", env=env)),
                  "log": out(run_cli("log", "--document", DOC, "--json", env=env))}

    def essentials(data):
        history = [(v["version"], v["created_at"], v["technical"], v["text_hash"], v["commit"])
                   for v in data["history"]]
        log = [(c["from_version"], c["to_version"], c["detected_at"], c["added"], c["removed"], c["modified"],
                sorted((f["category"], f["clause"]) for f in c["flags"])) for c in data["log"]]
        return history, log

    assert essentials(followed) == essentials(backfilled)
    history, log = essentials(followed)
    assert [v[1] for v in history] == ["2025-08-01T00:34:40Z", "2025-08-20T09:00:00Z", "2025-09-18T12:34:39Z",
                                       "2025-10-01T08:00:00Z"]
    assert [v[2] for v in history] == [False, False, False, True]
    assert len(log) == 2 and {"ai_training", "ai_opt_out"} <= {f[0] for f in log[0][6]}

    status = {s["id"]: s for s in out(run_cli("status", "--json"))}
    assert status[DOC]["source"]["repo"] == source
    assert status[DOC]["source"]["last_commit"] == git(repo, "log", "-1", "--format=%H", "--", FILE)
    assert len(out(run_cli("history", "chatgpt/terms-of-use", "--json"))) == 1

    again = check(run_cli)       # nothing new: unchanged, nothing doubled
    assert again.stdout.split().count("unchanged") == 2
    assert out(run_cli("history", DOC, "--json")) == followed["history"]


# --- following ---------------------------------------------------------------------------------------------


def test_new_commit_becomes_a_change_with_flags_and_alerts(tmp_path, run_cli, write_watchlist):
    repo = new_repo(tmp_path / "genai-eu-versions")
    commit(repo, {FILE: corpus("before.md"), "ChatGPT/Terms of Use.md": terms(1)},
           "First record of LinkedIn Privacy Policy", "2025-08-01T00:00:00+00:00")
    hook = "alerts:\n  webhooks:\n    - name: ops\n      url: http://127.0.0.1:9/hook\n"
    write_watchlist(watchlist((DOC, str(repo), FILE), ("chatgpt/terms", str(repo), "ChatGPT/Terms of Use.md"),
                              extra=hook))
    assert check(run_cli).exit_code == 0
    assert out(run_cli("alerts", "--json")) == []                  # the first version is a baseline

    sha = commit(repo, {FILE: corpus("after.md")}, "Record new changes of LinkedIn Privacy Policy",
                 "2025-09-18T12:34:39+00:00")
    result = check(run_cli)
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines[DOC].startswith("changed (+") and lines["chatgpt/terms"] == "unchanged"
    [change] = out(run_cli("log", "--flagged", "--json"))
    assert change["document"] == DOC and change["detected_at"] == "2025-09-18T12:34:39Z"
    assert "ai_training" in {f["category"] for f in change["flags"]}
    events = sorted(d["event"] for d in out(run_cli("alerts", "--json")))
    assert events == ["change.detected", "clause.flagged"]
    shown = out(run_cli("show", str(change["id"]), "--json"))
    assert shown["commit"] == {"sha": sha, "url": None}
    assert f"commit:   {sha}" in run_cli("show", str(change["id"])).stdout
    assert sha[:12] in run_cli("history", DOC).stdout
    assert f"last commit {sha[:12]}" in run_cli("status").stdout

    commit(repo, {FILE: corpus("after.md") + "\nSee also our Cookie Policy.\n"},
           "Apply technical or declaration upgrade on LinkedIn Privacy Policy", "2025-10-01T08:00:00+00:00")
    assert "unchanged" in check(run_cli, DOC).stdout
    history = out(run_cli("history", DOC, "--json"))
    assert [v["technical"] for v in history] == [False, False, True]   # the baseline moved silently
    assert len(out(run_cli("alerts", "--json"))) == 2


def test_unreachable_repository_is_a_failing_check_never_a_change(tmp_path, run_cli, write_watchlist):
    repo = tmp_path / "moved-away"
    hook = ("alerts:\n  failing_after: 2\n  webhooks:\n    - name: ops\n      url: http://127.0.0.1:9/hook\n"
            "      events: [document.failing, document.recovered]\n")
    write_watchlist(watchlist((DOC, str(repo), FILE), extra=hook))
    for _ in range(2):
        result = check(run_cli)
        assert result.exit_code == 1
        assert f"error: {repo}: cannot fetch: git fetch: '{repo}' does not appear to be a git repository" \
            in result.stdout
    assert [d["event"] for d in out(run_cli("alerts", "--json"))] == ["document.failing"]
    assert out(run_cli("history", DOC, "--json")) == [] and out(run_cli("log", "--json")) == []

    new_repo(repo)
    commit(repo, {FILE: corpus("before.md")}, "First record of LinkedIn Privacy Policy", "2025-08-01T00:00:00Z")
    assert check(run_cli).stdout.split() == [DOC, "new"]
    assert sorted(d["event"] for d in out(run_cli("alerts", "--json"))) == ["document.failing",
                                                                            "document.recovered"]


def test_force_pushed_history_and_renamed_file(tmp_path, run_cli, write_watchlist):
    repo = new_repo(tmp_path / "versions")
    commit(repo, {"ChatGPT/Terms of Use.md": terms(1)}, "First record of ChatGPT Terms of Use",
           "2025-01-01T00:00:00Z")
    commit(repo, {"ChatGPT/Terms of Use.md": terms(2)}, "Record new changes of ChatGPT Terms of Use",
           "2025-02-01T00:00:00Z")
    write_watchlist(watchlist(("chatgpt/terms", str(repo), "ChatGPT/Terms of Use.md")))
    assert check(run_cli).stdout.split() == ["chatgpt/terms", "new"]

    git(repo, "reset", "-q", "--hard", "HEAD~1")             # history rewritten: revision 2 never happened
    commit(repo, {"ChatGPT/Terms of Use.md": terms(3)}, "Record new changes of ChatGPT Terms of Use",
           "2025-03-01T00:00:00Z")
    result = check(run_cli)
    assert result.stdout.split()[:2] == ["chatgpt/terms", "changed"], result.output
    history = out(run_cli("history", "chatgpt/terms", "--json"))
    assert [v["created_at"][:10] for v in history] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    assert history[-1]["commit"] == git(repo, "rev-parse", "HEAD")
    latest = out(run_cli("log", "--json"))[0]
    shown = out(run_cli("show", str(latest["id"]), "--json"))
    assert (latest["from_version"], latest["to_version"]) == (2, 3)
    assert [c["new"] for c in shown["clauses"]] == ["These terms govern your use of the ChatGPT service, revision 3."]

    git(repo, "mv", "ChatGPT/Terms of Use.md", "ChatGPT/Terms of Service.md")
    git(repo, "commit", "-q", "-m", "Rename ChatGPT Terms of Use", date="2025-04-01T00:00:00Z")
    result = check(run_cli)
    assert result.exit_code == 1
    assert "'ChatGPT/Terms of Use.md' is not in the latest commit (renamed or deleted)" in result.stdout
    assert len(out(run_cli("history", "chatgpt/terms", "--json"))) == 3

    imported = run_cli("import-ota", "--versions", str(repo), "--write")
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip().endswith("1 documents added, 0 updated")
    result = check(run_cli, "chatgpt/terms-of-service")
    assert result.stdout.split() == ["chatgpt/terms-of-service", "new"]


def test_bot_wall_recorded_by_mistake_is_suspect_not_a_version(tmp_path, run_cli, write_watchlist):
    repo = new_repo(tmp_path / "versions")
    commit(repo, {"ChatGPT/Terms of Use.md": terms(1)}, "First record of ChatGPT Terms of Use",
           "2025-01-01T00:00:00Z")
    write_watchlist(watchlist(("chatgpt/terms", str(repo), "ChatGPT/Terms of Use.md")))
    assert check(run_cli).exit_code == 0
    commit(repo, {"ChatGPT/Terms of Use.md": WALL}, "Record new changes of ChatGPT Terms of Use",
           "2025-02-01T00:00:00Z")
    for _ in range(2):                                         # the same answer until a good commit
        result = check(run_cli)
        assert result.exit_code == 1
        assert "suspect" in result.stdout and "bot wall" in result.stdout
    commit(repo, {"ChatGPT/Terms of Use.md": "   \n"}, "Record new changes of ChatGPT Terms of Use",
           "2025-02-02T00:00:00Z")
    assert "near-empty" in check(run_cli).stdout
    commit(repo, {"ChatGPT/Terms of Use.md": terms(2)}, "Record new changes of ChatGPT Terms of Use",
           "2025-03-01T00:00:00Z")
    result = check(run_cli)
    assert result.stdout.split()[:2] == ["chatgpt/terms", "changed"], result.output
    history = out(run_cli("history", "chatgpt/terms", "--json"))
    assert [v["created_at"][:10] for v in history] == ["2025-01-01", "2025-03-01"]
    [change] = out(run_cli("log", "--json"))
    assert (change["from_version"], change["to_version"]) == (1, 2)


def test_many_documents_of_one_repository_cost_one_fetch(tmp_path, run_cli, write_watchlist):
    repo = new_repo(tmp_path / "versions")
    docs = [f"Service {i}/Terms of Use.md" for i in range(30)]
    commit(repo, {path: terms(1) for path in docs}, "First records", "2025-01-01T00:00:00Z")
    write_watchlist(watchlist(*[(f"service-{i}/terms-of-use", str(repo), path) for i, path in enumerate(docs)]))
    ota_git.GIT_CALLS.clear()
    result = check(run_cli)
    assert result.stdout.split().count("new") == 30
    assert ota_git.GIT_CALLS["fetch"] == 1
    ota_git.GIT_CALLS.clear()
    assert check(run_cli).stdout.split().count("unchanged") == 30
    assert dict(ota_git.GIT_CALLS) == {"fetch": 1, "rev-parse": 1}  # nothing new: no per-document git at all
    commit(repo, {docs[0]: terms(2)}, "Record new changes of Service 0 Terms of Use", "2025-02-01T00:00:00Z")
    ota_git.GIT_CALLS.clear()
    result = check(run_cli)
    assert result.stdout.split().count("unchanged") == 29
    assert "changed" in dict(line.split(None, 1) for line in result.stdout.splitlines())["service-0/terms-of-use"]
    # one fetch; one log of what the new commits touched, shared; git for the touched document only
    assert dict(ota_git.GIT_CALLS) == {"fetch": 1, "rev-parse": 1, "log": 2, "cat-file": 1, "ls-tree": 1}


def test_concurrent_checks_share_one_fetch(tmp_path):
    """Threads checking documents of one repository at once: one fetch, the others wait for it."""
    import threading

    repo = new_repo(tmp_path / "versions")
    commit(repo, {"A/Terms.md": terms(1)}, "First record", "2025-01-01T00:00:00Z")
    ota_git.GIT_CALLS.clear()
    heads: list[str] = []

    def update() -> None:
        heads.append(ota_git.update_clone(str(repo), tmp_path / "clones", max_age=60).head)

    threads = [threading.Thread(target=update) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert ota_git.GIT_CALLS["fetch"] == 1 and len(set(heads)) == 1 and len(heads) == 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(subprocess.run(["git", "daemon", "-h"], capture_output=True).returncode != 129,
                    reason="git daemon not installed")
def test_repository_served_by_git_daemon_on_loopback(tmp_path, run_cli, write_watchlist, wait_for):
    served = tmp_path / "served"
    served.mkdir()
    repo = new_repo(served / "genai-eu-versions")
    commit(repo, {"ChatGPT/Terms of Use.md": terms(1)}, "First record", "2025-01-01T00:00:00Z")
    port = _free_port()
    daemon = subprocess.Popen(["git", "daemon", "--export-all", "--reuseaddr", f"--base-path={served}",
                               "--listen=127.0.0.1", f"--port={port}", str(served)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listening() -> bool:
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, timeout=10)
        url = f"git://127.0.0.1:{port}/genai-eu-versions"
        write_watchlist(watchlist(("chatgpt/terms", url, "ChatGPT/Terms of Use.md")))
        assert check(run_cli).stdout.split() == ["chatgpt/terms", "new"]
        commit(repo, {"ChatGPT/Terms of Use.md": terms(2)}, "Record new changes", "2025-02-01T00:00:00Z")
        assert check(run_cli).stdout.split()[:2] == ["chatgpt/terms", "changed"]
        listed = run_cli("import-ota", "--versions", url)
        assert 'ota: {repo: git://127.0.0.1' in listed.stdout and '"ChatGPT/Terms of Use.md"' in listed.stdout
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


# --- the daemon and crashes --------------------------------------------------------------------------------


def _spawn(tmp_path: Path, db: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TOSMON_DB": str(db), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml")}
    return subprocess.Popen([sys.executable, "-m", "monitor", *args], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_daemon_follows_new_commits_with_webhook_alerts(tmp_path, db_path, make_receiver, wait_for, count_rows):
    receiver = make_receiver()
    repo = new_repo(tmp_path / "genai-eu-versions")
    commit(repo, {FILE: corpus("before.md")}, "First record of LinkedIn Privacy Policy", "2025-08-01T00:00:00Z")
    (tmp_path / "watchlist.yaml").write_text(watchlist(
        (DOC, str(repo), FILE),
        extra=f"defaults:\n  interval: 1s\nalerts:\n  webhooks:\n    - name: ops\n      url: {receiver.url}\n"
              "      events: [clause.flagged]\n"), encoding="utf-8")
    proc = _spawn(tmp_path, db_path, "run")
    try:
        wait_for(lambda: count_rows(db_path, "versions") == 1)
        sha = commit(repo, {FILE: corpus("after.md")}, "Record new changes of LinkedIn Privacy Policy",
                     "2025-09-18T12:34:39Z")
        wait_for(lambda: len(receiver.requests) == 1)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
    assert proc.returncode == 0, stderr
    body = json.loads(receiver.requests[0].body)
    assert body["event"] == "clause.flagged" and body["change"]["document"] == DOC
    assert body["change"]["detected_at"] == "2025-09-18T12:34:39Z"
    assert "ai_training" in {f["category"] for f in body["change"]["flags"]}
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT sha FROM version_commits WHERE number = 2").fetchone()[0] == sha
        assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 1


def test_sigkill_in_the_middle_of_an_import_loses_and_doubles_nothing(tmp_path, db_path, write_watchlist,
                                                                      wait_for, count_rows):
    repo = new_repo(tmp_path / "versions")
    total = 60
    for n in range(1, total + 1):
        commit(repo, {"ChatGPT/Terms of Use.md": terms(n)}, "Record new changes of ChatGPT Terms of Use",
               f"2025-01-01T{n // 60:02d}:{n % 60:02d}:00Z")
    write_watchlist(watchlist(("chatgpt/terms", str(repo), "ChatGPT/Terms of Use.md")))
    proc = _spawn(tmp_path, db_path, "check")
    try:
        wait_for(lambda: count_rows(db_path, "versions") >= 3, interval=0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)
    done = count_rows(db_path, "versions")
    assert 3 <= done < total, "the import finished before it could be interrupted"

    proc = _spawn(tmp_path, db_path, "check")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    with sqlite3.connect(db_path) as conn:
        numbers = [r[0] for r in conn.execute("SELECT number FROM versions ORDER BY number")]
        dates = [r[0] for r in conn.execute("SELECT created_at FROM versions ORDER BY number")]
        shas = [r[0] for r in conn.execute("SELECT sha FROM version_commits ORDER BY number")]
        changes = conn.execute("SELECT from_version, to_version FROM changes ORDER BY id").fetchall()
    assert numbers == list(range(1, total + 1))
    assert dates == sorted(set(dates))
    assert shas == git(repo, "log", "--reverse", "--format=%H").split()
    assert changes == [(n, n + 1) for n in range(1, total)]


def test_a_second_process_waits_for_the_fetch_in_flight(tmp_path):
    """The clone's file lock: a fetch started while another process holds it waits, then succeeds."""
    import fcntl

    repo = new_repo(tmp_path / "versions")
    commit(repo, {"A/Terms.md": terms(1)}, "First record", "2025-01-01T00:00:00Z")
    root = tmp_path / "clones"
    root.mkdir()
    lock_path = ota_git.clone_path(root, str(repo))
    with open(lock_path.with_name(lock_path.name + ".lock"), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code = ("import sys; from pathlib import Path; from monitor.sources import ota_git; "
                "print(ota_git.update_clone(sys.argv[1], Path(sys.argv[2]), max_age=0).head)")
        proc = subprocess.Popen([sys.executable, "-c", code, str(repo), str(root)], stdout=subprocess.PIPE,
                                text=True)
        time.sleep(0.5)
        assert proc.poll() is None                      # waiting for the lock
    stdout, _ = proc.communicate(timeout=30)
    assert stdout.strip() == git(repo, "rev-parse", "HEAD")


def test_import_ota_versions_writes_every_document_or_the_services_named(tmp_path, run_cli, write_watchlist):
    repo = new_repo(tmp_path / "genai-eu-versions")
    commit(repo, {"ChatGPT/Terms of Use.md": terms(1), "ChatGPT/Privacy Policy.md": terms(1),
                  "Le Chat/Terms of Service.md": terms(1), "README.md": "# Versions\n"},
           "First records", "2025-01-01T00:00:00Z")
    write_watchlist("# my watchlist\nservices:\n  example:\n    documents:\n      terms:\n"
                    "        url: https://example.com/terms\n")
    bad = run_cli("import-ota", "--versions", str(repo), "--service", "Gemini", "--write")
    assert bad.exit_code == 2 and f"error: {repo}: no service 'Gemini'" in bad.stderr
    typo = run_cli("import-ota", "--versions", str(repo), "--service", "chatgtp")
    assert typo.exit_code == 2 and typo.stderr == (f"error: {repo}: no service 'chatgtp' (a folder of .md files)"
                                                    " (did you mean 'ChatGPT'?)\n"), typo.stderr

    some = run_cli("import-ota", "--versions", str(repo), "--service", "le-chat")
    assert some.exit_code == 0, some.output
    assert some.stdout == ("services:\n  le-chat:\n    name: Le Chat\n    documents:\n      terms-of-service:\n"
                           f'        ota: {{repo: {repo}, path: "Le Chat/Terms of Service.md"}}\n')

    written = run_cli("import-ota", "--versions", str(repo), "--write")
    assert written.stdout.strip().endswith("3 documents added, 0 updated"), written.output
    assert (tmp_path / "watchlist.yaml").read_text().startswith("# my watchlist\n")
    assert run_cli("validate").exit_code == 0
    followed = ["chatgpt/terms-of-use", "chatgpt/privacy-policy", "le-chat/terms-of-service"]
    result = check(run_cli, *followed)                        # example/terms is a web page: not checked here
    assert sorted(line.split() for line in result.stdout.splitlines()) == sorted([doc, "new"] for doc in followed)


def test_read_blobs_reads_many_versions_in_one_git_call(tmp_path):
    repo = new_repo(tmp_path / "versions")
    first = commit(repo, {"Le Chat/Conditions d'utilisation.md": "Données personnelles : é à ü\n",
                          "A/B.md": "x" * 70_000}, "First records", "2025-01-01T00:00:00Z")
    second = commit(repo, {"Le Chat/Conditions d'utilisation.md": None}, "Deleted", "2025-02-01T00:00:00Z")
    ota_git.GIT_CALLS.clear()
    assert ota_git.read_blobs(repo, [f"{first}:Le Chat/Conditions d'utilisation.md", f"{first}:A/B.md",
                                     f"{second}:Le Chat/Conditions d'utilisation.md", f"{first}:A",
                                     f"{second}:A/B.md"]) == [
        "Données personnelles : é à ü\n", "x" * 70_000, None, None, "x" * 70_000]
    assert dict(ota_git.GIT_CALLS) == {"cat-file": 1}
