"""`check` prints one line per document on stdout and logs nothing more unless asked (-v); the JSON log
lines carry the check's facts as fields."""

from __future__ import annotations

import json


def test_one_line_per_document_and_no_duplicate_warning(page_server, write_watchlist, run_cli):
    page_server.set("/ok", "<html><body><main><p>These terms apply to every user of the service.</p>"
                           "<p>Accounts are for people over sixteen years of age only.</p></main></body></html>")
    write_watchlist(f"services:\n  acme:\n    documents:\n      ok:\n        url: {page_server.url('/ok')}\n"
                    f"      gone:\n        url: {page_server.url('/gone')}\n")
    result = run_cli("check")
    assert result.exit_code == 1
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == ["acme/gone", "acme/ok"]
    assert result.stderr == ""       # the failure is in its result line, not logged a second time
    verbose = run_cli("-v", "check", "acme/gone")
    assert verbose.stdout.count("\n") == 1 and "HTTP 404" in verbose.stdout
    assert "WARNING" in verbose.stderr and "acme/gone" in verbose.stderr


def test_json_log_lines_carry_check_fields(page_server, write_watchlist, run_cli):
    page_server.set("/ok", "<html><body><main><p>These terms apply to every user of the service.</p>"
                           "<p>Accounts are for people over sixteen years of age only.</p></main></body></html>")
    write_watchlist(f"services:\n  acme:\n    documents:\n      ok:\n        url: {page_server.url('/ok')}\n")
    result = run_cli("-v", "--log-format", "json", "check")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    [check] = [line for line in lines if line.get("document") == "acme/ok"]
    assert check["outcome"] == "new" and check["change_id"] is None
    assert isinstance(check["duration_s"], float) and check["bytes"] > 100
    assert check["level"] == "info" and check["message"].startswith("acme/ok: new in ")
