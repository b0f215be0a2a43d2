"""Bad input on the command line: one line on stderr, exit 2, the same in every command, and nothing created."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.test_cli_reading import AI_CLAUSE, BASE, html

BIG = str(2**63)


@pytest.fixture
def one_change(page_server, write_watchlist, run_cli):
    write_watchlist(f"services:\n  acme:\n    name: Acme\n    documents:\n      privacy:\n"
                    f"        url: {page_server.url('/a')}\n")
    page_server.set("/a", html(BASE))
    assert run_cli("check").exit_code == 0
    page_server.set("/a", html(BASE + [AI_CLAUSE]))
    assert run_cli("check").exit_code == 0
    return run_cli


def one_line_error(result, *, contains: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    assert contains in result.stderr, result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["log", "--document", "acme/privcy"], "no document 'acme/privcy' (did you mean 'acme/privacy'?)"),
    (["log", "--service", "acm"], "no service 'acm' (did you mean 'acme'?)"),
    (["log", "--category", "ai_trainig"], "unknown category 'ai_trainig' (did you mean 'ai_training'?)"),
    (["flags", "--category", "ai_trainig"], "did you mean 'ai_training'?"),
    (["history", "acme/privcy"], "did you mean 'acme/privacy'?"),
    (["text", "acme/privcy"], "did you mean 'acme/privacy'?"),
    (["diff", "acme/privcy", "1", "2"], "did you mean 'acme/privacy'?"),
    (["check", "acme/privcy"], "not in the watchlist: acme/privcy (did you mean 'acme/privacy'?)"),
    (["show", "999"], "no change #999"),
    (["show", BIG], f"no change #{BIG}"),
    (["show", "--", "-1"], "no change #-1"),
    (["text", "acme/privacy", "--version", "7"], "no version 7 of acme/privacy"),
    (["text", "acme/privacy", "--version", BIG], f"no version {BIG} of acme/privacy (versions 1 to 2)"),
    (["diff", "acme/privacy", "1", BIG], f"no version {BIG} of acme/privacy"),
    (["log", "--since", "99999999999d"], "--since: '99999999999d' is too far in the past"),
    (["export", "--format", "json", "--since", "99999999999d"], "too far in the past"),
    (["log", "--until", "someday"], "--until: 'someday' is not a date"),
    (["search", "!!!"], "no word to search for"),
    (["search", "--json", "'"], "no word to search for"),
])
def test_unknown_names_and_ids_are_one_line_exit_2(one_change, args, message):
    one_line_error(one_change(*args), contains=message)


def test_known_names_still_filter(one_change):
    run = one_change
    for args in (["log", "--document", "acme/privacy"], ["log", "--service", "Acme"], ["log", "--service", "acme"],
                 ["log", "--category", "ai_training"], ["flags", "--category", "ai_opt_out"]):
        result = run(*args)
        assert result.exit_code == 0 and result.stderr == "", (args, result.stderr)


def test_export_into_a_missing_folder(one_change, tmp_path):
    result = one_change("export", "--format", "csv", "--output", str(tmp_path / "nowhere" / "x.csv"))
    one_line_error(result, contains="--output: no such folder")
    assert not (tmp_path / "nowhere").exists()


def test_failing_commands_create_no_database(tmp_path, run_cli, write_watchlist, db_path):
    write_watchlist("services:\n  acme:\n    documents:\n      privacy:\n        url: http://127.0.0.1:9/x\n")
    for args in (["check", "acme/privcy"], ["log"], ["status"], ["show", "1"], ["history", "acme/privacy"],
                 ["text", "acme/privacy"], ["diff", "acme/privacy", "1", "2"], ["search", "x"], ["flags"],
                 ["export", "--format", "atom"], ["log", "--since", "99999999999d"], ["alerts"]):
        result = run_cli(*args)
        assert result.exit_code in (1, 2) and result.stderr.count("\n") == 1, (args, result.stderr)
        assert not db_path.parent.exists(), args
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    (snapshots / "not-a-date.md").write_text("# Terms\nSome text.\n", encoding="utf-8")
    result = run_cli("backfill", "--dir", str(snapshots), "--document", "acme/privacy")
    assert result.exit_code == 2 and "not an ISO date" in result.stderr
    assert not db_path.parent.exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  acme:\n    documents:\n      privacy:\n        url: nope\n")
    assert run_cli("--watchlist", str(bad), "check").exit_code == 2
    assert not db_path.parent.exists()


def test_limits_beyond_sqlite_integers_mean_all(one_change):
    run = one_change
    huge = str(2**70)
    assert len(json.loads(run("log", "--limit", huge, "--json").stdout)) == 1
    assert json.loads(run("search", "train", "--limit", huge, "--json").stdout)
    assert run("export", "--format", "csv", "--limit", huge).stdout.count("\n") == 3   # header, two flags


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(min_size=0, max_size=40))
def test_search_json_is_a_list_or_one_line_error(one_change, query):
    result = one_change("search", "--json", "--", query)
    if result.exit_code == 0:
        assert isinstance(json.loads(result.stdout), list)
    else:
        one_line_error(result, contains="no word to search for")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=st.one_of(st.text(max_size=25), st.from_regex(r"\A-?[0-9]{1,30}(\.[0-9]{1,5})?(ms|s|m|h|d|w)\Z"),
                       st.from_regex(r"\A[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}(T[0-9:]{1,12})?Z?\Z")),
       number=st.integers(min_value=-2**80, max_value=2**80),
       limit=st.integers(min_value=-5, max_value=2**80))
def test_dates_ids_and_limits_never_raise(one_change, since, number, limit):
    for args in (["log", "--since", since, "--json"], ["log", "--until", since], ["text", "acme/privacy", "--at", since],
                 ["export", "--format", "csv", "--since", since], ["show", "--", str(number)],
                 ["text", "acme/privacy", "--version", str(number)], ["diff", "acme/privacy", "1", "--", str(number)],
                 ["log", "--limit", str(limit)], ["search", "train", "--limit", str(limit)]):
        result = one_change(*args)         # catch_exceptions=False: a traceback fails the test
        assert result.exit_code in (0, 2), (args, result.output)
        if result.exit_code == 2 and not result.stderr.startswith("Usage:"):   # click's own usage errors
            assert result.stderr.count("\n") == 1, (args, result.stderr)


def test_a_database_folder_that_cannot_be_made_is_one_line(tmp_path, run_cli, write_watchlist):
    """`--db` under a regular file (or anywhere mkdir fails) was a FileNotFoundError/NotADirectoryError traceback."""
    write_watchlist("services:\n  acme:\n    documents:\n      privacy:\n        url: http://127.0.0.1:9/x\n")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = run_cli("--db", str(tmp_path / "afile" / "db" / "monitor.db"), "check")
    assert result.exit_code == 1 and result.stdout == "", result.output
    assert result.stderr == f"error: {tmp_path / 'afile' / 'db' / 'monitor.db'}: cannot create its folder: Not a directory\n"


@pytest.mark.parametrize("command", [["check"], ["run", "--once"]])
def test_ca_certificates_that_cannot_be_loaded_are_one_line(tmp_path, write_watchlist, db_path, command):
    """SSL_CERT_FILE naming no file: one line naming it, exit 2, no database; it used to kill the check
    threads with a traceback and exit 0 with nothing checked."""
    import os
    import subprocess
    import sys

    write_watchlist("services:\n  acme:\n    documents:\n      privacy:\n        url: http://127.0.0.1:9/x\n")
    env = {**os.environ, "TOSMON_DB": str(db_path), "TOSMON_WATCHLIST": str(tmp_path / "watchlist.yaml"),
           "SSL_CERT_FILE": str(tmp_path / "missing.pem"), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "monitor", *command], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr == f"error: TLS: cannot load the CA certificates from {tmp_path / 'missing.pem'}: " \
                          "No such file or directory\n"
    assert not db_path.parent.exists()
