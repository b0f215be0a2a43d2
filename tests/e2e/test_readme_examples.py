"""The README's command examples, run for real: four documents on a loopback server (two real version pairs
from ../shared/corpus, a privacy policy written for the example, a page that answers 404), a real SQLite
file, a webhook receiver that is down. Each marked README block is checked against this run, or rewritten
from it with TOSMON_README_UPDATE=1 (tests/readme_contract.py explains the mechanism)."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import markdown
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.readme_contract import blocks, check_block, fenced_after, run_transcript

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "cases"
MASTOVILLE_V1 = """# Mastoville Privacy Policy

Last updated: 1 October 2026

We collect the information you give us when you create an account, such as your name and e-mail address.

We use this information to run the service, to keep your account secure and to answer your requests.

We never sell your personal data to anyone.

Contact our data protection officer at privacy@mastoville.example.
"""
# Its dates lie years ahead so that `flags --upcoming` keeps listing them: the test must not expire.
MASTOVILLE_V2 = MASTOVILLE_V1.replace("1 October 2026", "20 November 2026").replace(
    "your name and e-mail address.", "your name, e-mail address and phone number.") + """
## Generative AI

Starting January 15, 2031, we will use your public posts and profile information to train and improve our generative AI models. You can object until January 14, 2031 in Settings > Privacy > Data for generative AI.
"""
BAD_WATCHLIST = """services:
  linkedin:
    name: LinkedIn
    documents:
      privacy-policy:
        interval: 6x
        select: ["main >"]
        colour: blue
        url: https://www.linkedin.com/legal/privacy-policy
"""
#: The documents in watchlist order; in the second round each answers only after the one before it has
#: stored its change, so change ids and result lines come in this order on every run.
DOCS = [("linkedin", "LinkedIn", "privacy-policy-eu", "/linkedin-privacy-eu-2025-09.md"),
        ("clapette", "Clapette", "terms", "/clapette-terms.md"),
        ("mastoville", "Mastoville", "privacy", "/mastoville-privacy.md"),
        ("example", "Example", "gone", "/missing.md")]
MARKED = ["check", "validate-errors", "status", "log", "show", "flags", "search", "history", "text-diff",
          "alerts", "export-atom", "export-ics", "export-csv", "exit-codes"]
#: Blocks run in a second world of their own (a fresh database, files instead of pages): see `files`.
MARKED_FILES = ["eval", "import-ota", "backfill"]
#: The corpus cases `tosmon eval small-corpus` replays (README, "tosmon eval").
SMALL_CORPUS = ["linkedin-privacy-eu-2025-09", "fr-clapette-terms-deadline-3", "de-schreibwelle-privacy-aifeature-8",
                "fr-lavandine-privacy-hardneg-9", "es-verdalia-privacy-plain-10"]
HISTORY = {"Privacy Policy": [{"fetch": "https://www.linkedin.com/legal/privacy-policy", "select": "main",
                               "validUntil": "2023-06-01T00:00:00Z"}]}


def _html(md_text: str) -> bytes:
    return f"<html><body><main>{markdown.markdown(md_text)}</main></body></html>".encode()


class GatedServer:
    """Loopback pages; a gate per path holds the answer until a condition holds (bounded wait)."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.gates: dict[str, Any] = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                gate = server.gates.get(self.path)
                deadline = time.monotonic() + 30
                while gate is not None and not gate() and time.monotonic() < deadline:
                    time.sleep(0.02)
                body = server.pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8" if body else "text/plain")
                payload = body if body is not None else b"not found"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client closing its keep-alive connection; stderr belongs to the CLI being recorded

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _changes(db: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return int(conn.execute("SELECT count(*) FROM changes").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The README's example world after two rounds of checks; yields `invoke(args)` run in its folder."""
    home = tmp_path_factory.mktemp("readme")
    server = GatedServer()
    with socket.socket() as sock:  # a port nothing listens on: the webhook receiver is down
        sock.bind(("127.0.0.1", 0))
        down = sock.getsockname()[1]
    entries = "".join(f"  {svc}:\n    name: {name}\n    documents:\n      {doc}:\n        url: {server.url(path)}\n"
                      for svc, name, doc, path in DOCS)
    (home / "watchlist.yaml").write_text(
        f"alerts:\n  webhooks:\n    - name: ops\n      url: http://127.0.0.1:{down}/hook\n"
        f"      events: [clause.flagged]\nservices:\n{entries}", encoding="utf-8")
    (home / "bad.yaml").write_text(BAD_WATCHLIST, encoding="utf-8")
    env = {"TOSMON_DB": "db/monitor.db", "TOSMON_WATCHLIST": "watchlist.yaml", "NO_COLOR": "1",
           "COLUMNS": "160", "TZ": "UTC"}

    def invoke(args: list[str]) -> Any:
        with contextlib.chdir(home):
            return CliRunner().invoke(cli, args, env=env, catch_exceptions=False, prog_name="tosmon")

    linkedin, clapette = CORPUS / "linkedin-privacy-eu-2025-09", CORPUS / "fr-clapette-terms-deadline-3"
    server.pages[DOCS[0][3]] = _html((linkedin / "before.md").read_text(encoding="utf-8"))
    server.pages[DOCS[1][3]] = _html((clapette / "before.md").read_text(encoding="utf-8"))
    server.pages[DOCS[2][3]] = _html(MASTOVILLE_V1)
    assert invoke(["check"]).exit_code == 1
    server.pages[DOCS[0][3]] = _html((linkedin / "after.md").read_text(encoding="utf-8"))
    server.pages[DOCS[1][3]] = _html((clapette / "after.md").read_text(encoding="utf-8"))
    server.pages[DOCS[2][3]] = _html(MASTOVILLE_V2)
    db = home / "db" / "monitor.db"
    for n, (_, _, _, path) in enumerate(DOCS[1:], 1):
        server.gates[path] = lambda n=n: _changes(db) >= n
    try:
        yield invoke
    finally:
        server.stop()


def _git_env(day: str) -> dict[str, str]:
    """A fixed author, committer and date: the commits (and the SHAs the README shows) are the same every run."""
    return {**os.environ, "GIT_AUTHOR_DATE": day, "GIT_COMMITTER_DATE": day, "GIT_AUTHOR_NAME": "ota",
            "GIT_AUTHOR_EMAIL": "ota@example.org", "GIT_COMMITTER_NAME": "ota", "GIT_COMMITTER_EMAIL": "ota@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _commit(repo: Path, text: str, day: str, message: str) -> None:
    """Commit `text` as LinkedIn's privacy policy in an OTA-layout repository, dated `day`."""
    (repo / "LinkedIn" / "Privacy Policy.md").parent.mkdir(parents=True, exist_ok=True)
    (repo / "LinkedIn" / "Privacy Policy.md").write_text(text, encoding="utf-8")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=_git_env(day))
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", message], check=True, env=_git_env(day))


class _Shown:
    """A finished `tosmon` process, its output showing the example's folder as the README does (/tmp/demo)."""

    def __init__(self, done: subprocess.CompletedProcess[str], home: Path) -> None:
        self.exit_code = done.returncode
        self.output = done.stdout.replace(str(home), "/tmp/demo")


@pytest.fixture(scope="module")
def follow(tmp_path_factory):
    """"Following a collection": an OTA-layout repository holding LinkedIn's first version, in a folder with no
    watchlist or database yet; `git -C versions commit ...` in the transcript commits its second version."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path_factory.mktemp("readme-follow")
    repo = home / "versions"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    linkedin = CORPUS / "linkedin-privacy-eu-2025-09"
    _commit(repo, (linkedin / "before.md").read_text(encoding="utf-8"), "2025-08-01T00:34:40Z",
            "Record new changes of LinkedIn Privacy Policy")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "160", "TZ": "UTC"}
    for name in ("TOSMON_DB", "TOSMON_WATCHLIST"):
        env.pop(name, None)

    def invoke(args: list[str]) -> Any:
        # One process per command, as a user types them: a check reuses its process's fetch of a repository
        # for a while, and a commit made between two commands must be seen by the second.
        done = subprocess.run([sys.executable, "-m", "monitor", *args], cwd=home, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        return _Shown(done, home)

    def git(args: list[str]) -> str:
        assert args[:3] == ["git", "-C", "versions"] and "commit" in args, args
        (repo / "LinkedIn" / "Privacy Policy.md").write_text((linkedin / "after.md").read_text(encoding="utf-8"),
                                                             encoding="utf-8")
        done = subprocess.run(args, cwd=home, env=_git_env("2025-09-18T12:34:39Z"), capture_output=True, text=True,
                              check=True)
        return done.stdout + done.stderr

    return invoke, git


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The world of the file-based examples: a corpus of five cases, the README's own OTA declaration with a
    history beside it, and an OTA versions repository holding the two LinkedIn versions; no database yet."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path_factory.mktemp("readme-files")
    for case in SMALL_CORPUS:
        shutil.copytree(CORPUS / case, home / "small-corpus" / "cases" / case)
    (home / "declarations").mkdir()
    (home / "declarations" / "LinkedIn.json").write_text(fenced_after("A declaration such as:"), encoding="utf-8")
    (home / "declarations" / "LinkedIn.history.json").write_text(json.dumps(HISTORY), encoding="utf-8")
    repo = home / "versions"
    (repo / "LinkedIn").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    linkedin = CORPUS / "linkedin-privacy-eu-2025-09"
    _commit(repo, (linkedin / "before.md").read_text(encoding="utf-8"), "2025-08-01T00:34:40Z",
            "Record new changes of LinkedIn Privacy Policy")
    _commit(repo, (linkedin / "after.md").read_text(encoding="utf-8"), "2025-09-18T12:34:39Z",
            "Record new changes of LinkedIn Privacy Policy")
    env = {"TOSMON_DB": "db/monitor.db", "TOSMON_WATCHLIST": "watchlist.yaml", "NO_COLOR": "1",
           "COLUMNS": "160", "TZ": "UTC"}

    def invoke(args: list[str]) -> Any:
        with contextlib.chdir(home):
            return CliRunner().invoke(cli, args, env=env, catch_exceptions=False, prog_name="tosmon")

    return invoke


def test_every_marked_block_is_checked():
    marked = set(MARKED) | set(MARKED_FILES) | {"change-object", "follow"}
    assert marked <= set(blocks()), sorted(marked - set(blocks()))


def test_every_readme_watchlist_validates(tmp_path):
    """Each ```yaml block of the README (the configuration reference, the followed document, the channel) is a
    watchlist `tosmon validate --strict` accepts: the reference cannot drift from the loader."""
    import re

    from tests.readme_contract import README

    yamls = re.findall(r"^```yaml\n(.*?)^```$", README.read_text(encoding="utf-8"), re.M | re.S)
    assert len(yamls) >= 3
    env = {"TOSMON_NOTIFY_ME": "json://127.0.0.1:9/", "TOSMON_WEBHOOK_SECRET": "s", "NO_COLOR": "1"}
    for n, text in enumerate(yamls):
        path = tmp_path / f"readme-{n}.yaml"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(cli, ["--watchlist", str(path), "--db", str(tmp_path / "db" / "m.db"),
                                          "validate", "--strict"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, (text, result.output)
    assert not (tmp_path / "db").exists()


def test_readme_follow_example(follow):
    """`import-ota --versions`, two checks around a commit, and what status, history and show say of it."""
    invoke, git = follow
    check_block("follow", run_transcript(blocks()["follow"].body, invoke, git))


def test_readme_file_examples(files):
    """`eval` on a small corpus, `import-ota` on the README's declaration, `backfill` of a git history."""
    for name in MARKED_FILES:
        check_block(name, run_transcript(blocks()[name].body, files))


def test_readme_examples(example):
    """One test, so the blocks run in this order on one worker: the `check` block makes the second round's
    changes that the later blocks read."""
    for name in MARKED:
        check_block(name, run_transcript(blocks()[name].body, example))
    log = json.loads(example(["log", "--json"]).stdout)
    assert json.loads(example(["export", "--format", "json"]).stdout) == log   # "`json` is exactly `log --json`"
    [change] = [c for c in log if c["document"] == "mastoville/privacy"]
    check_block("change-object", json.dumps(change, ensure_ascii=False, indent=2))
