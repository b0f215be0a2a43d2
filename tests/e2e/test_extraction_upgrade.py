"""Editing a document's extraction settings re-baselines it silently: a technical version, no change, no alert."""

from __future__ import annotations

import json

PAGE = ("<html><body><main><h1>Terms</h1><p>Last updated: {day} March 2026</p>"
        "<p>These terms apply to everyone who uses the service and its mobile applications.</p>"
        "<p>{clause}</p></main></body></html>")


def test_changed_ignore_rule_moves_the_baseline_without_a_change(page_server, write_watchlist, run_cli):
    url = page_server.url("/t")
    page_server.set("/t", PAGE.format(day=1, clause="You must be sixteen or older to open an account."))
    watch = "alerts:\n  webhooks:\n    - name: ops\n      url: http://127.0.0.1:9/hook\n      events: [change.detected]\n"
    write_watchlist(watch + f"services:\n  acme:\n    documents:\n      terms:\n        url: {url}\n")
    assert run_cli("check").stdout.split() == ["acme/terms", "new"]

    write_watchlist(watch + f"services:\n  acme:\n    documents:\n      terms:\n        url: {url}\n"
                    "        ignore: ['Last updated: .*']\n")
    assert run_cli("check").stdout.split() == ["acme/terms", "unchanged"]
    history = json.loads(run_cli("history", "acme/terms", "--json").stdout)
    assert [(v["version"], v["technical"]) for v in history] == [(1, False), (2, True)]
    assert json.loads(run_cli("log", "--json").stdout) == []
    assert json.loads(run_cli("alerts", "--json").stdout) == []

    # The ignored line changing is still no change; a real edit is one, measured against the new baseline.
    page_server.set("/t", PAGE.format(day=9, clause="You must be eighteen or older to open an account."))
    assert run_cli("check").stdout.strip() == "acme/terms  changed (+0 -0 ~1)"
    [change] = json.loads(run_cli("log", "--json").stdout)
    assert (change["from_version"], change["to_version"]) == (2, 3)
    assert len(json.loads(run_cli("alerts", "--json").stdout)) == 1
