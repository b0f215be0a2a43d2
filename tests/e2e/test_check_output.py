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


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run tosmon with stdout and stderr on one pseudo-terminal, as in an interactive shell."""
    import os
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "monitor", *args], stdout=secondary, stderr=secondary, env=env)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks).decode().replace("\r\n", "\n")


def test_progress_on_a_terminal_never_collides_with_result_lines(page_server, write_watchlist, tmp_path):
    import os

    body = ("<html><body><main><p>These terms apply to every user of the service.</p>"
            "<p>Accounts are for people over sixteen years of age only.</p></main></body></html>")
    names = [f"doc{i}" for i in range(8)]
    for name in names:
        page_server.set(f"/{name}", body)
    entries = "".join(f"      {n}:\n        url: {page_server.url('/' + n)}\n" for n in names)
    path = write_watchlist(f"services:\n  acme:\n    documents:\n{entries}      gone:\n"
                           f"        url: {page_server.url('/gone')}\n")
    env = {**os.environ, "TOSMON_DB": str(tmp_path / "db" / "m.db"), "TOSMON_WATCHLIST": str(path)}
    code, out = _on_a_terminal(["check"], env)
    assert code == 1
    assert "checking…" in out                       # there was a progress line on the terminal
    # What the terminal shows: each line is what follows its last "clear line" (CR, ESC [ K).
    visible = [line.split("\r\x1b[K")[-1] for line in out.split("\n") if line.split("\r\x1b[K")[-1]]
    assert sorted(line.split()[0] for line in visible) == sorted([f"acme/{n}" for n in names] + ["acme/gone"])
    assert all(line.split()[1] in ("new", "unchanged", "error:") for line in visible), visible
    # With -v the log lines go to the terminal: no progress line among them.
    code, out = _on_a_terminal(["-v", "check"], env)
    assert "checking…" not in out and "\x1b[K" not in out
    assert out.count("WARNING") == 1 and "acme/gone" in out
