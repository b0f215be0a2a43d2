"""`tosmon check` against a real page server and a real database: new, unchanged, noise, changed, 500, 304."""

from __future__ import annotations

import json
import sqlite3

PAGE = """<html><head><title>Privacy</title><script>var token = "{token}";</script></head><body>
<nav><a href="/">Home</a> <a href="/jobs">Jobs</a></nav>
<main>
<h1>Privacy Policy</h1>
<p>We collect the information you give us when you create an account.</p>
<h2>How we use data</h2>
<p>{use}</p>
<ul><li>To provide the service.</li><li>To keep the service secure.</li>{extra}</ul>
<p>{gone}</p>
<form><input type="hidden" name="csrf" value="{token}"></form>
</main>
<footer>© Example</footer></body></html>"""

V1 = dict(use="We use your data to provide and improve our services.", extra="",
          gone="We keep logs for ninety days.")
V2 = dict(use="We use your data to provide, personalise and improve our services.",
          extra="<li>To comply with the law.</li>", gone="")


def page(token: str = "abc", **parts: str) -> str:
    return PAGE.format(token=token, **parts)


def counts(db: str) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        versions = conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        changes = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    return versions, changes


def stored_bodies(db: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM bodies").fetchone()[0]


def test_lifecycle(page_server, write_watchlist, run_cli, db_path):
    page_server.set("/privacy", page(**V1), etag=False)
    write_watchlist(f"services:\n  example:\n    name: Example\n    documents:\n"
                    f"      privacy:\n        url: {page_server.url('/privacy')}\n")

    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["example/privacy", "new"]

    result = run_cli("check")
    assert result.stdout.split() == ["example/privacy", "unchanged"]

    # Only a script token and a hidden input differ: not a change, and its raw body is not kept (a page with
    # a fresh token on every fetch would otherwise add a body per check for as long as tosmon runs).
    page_server.set("/privacy", page(token="zzz999", **V1), etag=False)
    result = run_cli("check")
    assert result.stdout.split() == ["example/privacy", "unchanged"]
    assert counts(str(db_path)) == (1, 0)
    assert stored_bodies(str(db_path)) == 1

    # A real change: one modified paragraph, one added list item, one removed paragraph.
    page_server.set("/privacy", page(**V2), etag=False)
    result = run_cli("check")
    assert result.exit_code == 0
    assert result.stdout.strip() == "example/privacy  changed (+1 -1 ~1)"
    assert counts(str(db_path)) == (2, 1)
    assert stored_bodies(str(db_path)) == 2

    log = json.loads(run_cli("log", "--json").stdout)
    assert len(log) == 1
    change = log[0]
    assert (change["document"], change["added"], change["removed"], change["modified"]) == \
        ("example/privacy", 1, 1, 1)
    assert change["from_version"] == 1 and change["to_version"] == 2
    assert change["url"] == page_server.url("/privacy") and change["service"] == "Example"

    shown = json.loads(run_cli("show", str(change["id"]), "--json").stdout)
    kinds = sorted(c["kind"] for c in shown["clauses"])
    assert kinds == ["added", "modified", "removed"]
    modified = next(c for c in shown["clauses"] if c["kind"] == "modified")
    assert [1, "personalise and "] in modified["segments"] or any(
        op == 1 and "personalise" in text for op, text in modified["segments"])

    # A server error is an error: exit 1, nothing new stored, the failure shows in status.
    page_server.set("/privacy", "boom", status=500, content_type="text/plain", etag=False)
    result = run_cli("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("example/privacy  error: ")
    assert "HTTP 500" in result.stdout
    assert counts(str(db_path)) == (2, 1)
    status = json.loads(run_cli("status", "--json").stdout)
    assert status[0]["consecutive_failures"] == 1 and status[0]["last_status"] == "error"
    assert "HTTP 500" in status[0]["last_error"]

    # Back with validators: the first answer is a full 200 with the same text, then a 304.
    page_server.set("/privacy", page(**V2), etag=True)
    assert run_cli("check").stdout.split() == ["example/privacy", "unchanged"]
    before = len(page_server.requests)
    assert run_cli("check").stdout.split() == ["example/privacy", "unchanged"]
    _path, headers = page_server.requests[before]
    assert headers.get("If-None-Match")
    with sqlite3.connect(str(db_path)) as conn:
        outcomes = [r[0] for r in conn.execute("SELECT outcome FROM snapshots ORDER BY id")]
    assert outcomes[-1] == "not_modified"
    assert counts(str(db_path)) == (2, 1)

    history = json.loads(run_cli("history", "example/privacy", "--json").stdout)
    assert [v["version"] for v in history] == [1, 2]


def test_unknown_document_is_bad_input(page_server, write_watchlist, run_cli):
    write_watchlist(f"services:\n  example:\n    documents:\n      privacy:\n"
                    f"        url: {page_server.url('/privacy')}\n")
    result = run_cli("check", "example/nope")
    assert result.exit_code == 2
    assert "example/nope" in result.stderr


def test_show_unknown_change(page_server, write_watchlist, run_cli):
    page_server.set("/p", page(**V1))
    write_watchlist(f"services:\n  example:\n    documents:\n      privacy:\n        url: {page_server.url('/p')}\n")
    run_cli("check")
    result = run_cli("show", "999")
    assert result.exit_code == 2      # an unknown id is bad input, as in `check` (README: exit codes)
    assert result.stderr.strip() == "error: no change #999"
