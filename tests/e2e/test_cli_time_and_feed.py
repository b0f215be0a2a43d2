"""Times: local with its offset on a terminal, UTC with --utc, piped and in JSON. The Atom feed: ids unique
to each install, a `self` link only from --base-url."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from monitor.models import Document
from monitor.store import Store

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _db(path) -> None:
    store = Store(path)
    doc = Document(id="acme/terms", service="acme", service_name="Acme", name="terms", urls=("http://x.test/",))
    store.sync_documents([doc], now=NOW)
    with store.atomic():
        store.add_version(doc.id, text="# Terms\nOne clause.", created_at=NOW, extractor="1")
    store.close()


def _on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run tosmon with stdout on a pseudo-terminal; return what it printed."""
    main, secondary = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "monitor", *args], stdout=secondary, stderr=subprocess.PIPE,
                              env=env, timeout=60)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main)
    assert done.returncode == 0, done.stderr
    return b"".join(chunks).decode()


def test_local_time_on_a_terminal_utc_when_asked_piped_and_json(tmp_path):
    db = tmp_path / "m.db"
    _db(db)
    env = {**os.environ, "TZ": "Asia/Kolkata", "NO_COLOR": "1", "COLUMNS": "200"}
    local = _on_a_terminal("--db", str(db), "history", "acme/terms", env=env)
    assert "2026-01-05T14:30:00+05:30" in local
    forced = _on_a_terminal("--db", str(db), "--utc", "history", "acme/terms", env=env)
    assert "2026-01-05T09:00:00Z" in forced and "+05:30" not in forced
    piped = subprocess.run([sys.executable, "-m", "monitor", "--db", str(db), "history", "acme/terms"],
                           capture_output=True, text=True, env=env, timeout=60).stdout
    assert "2026-01-05T09:00:00Z" in piped
    as_json = subprocess.run([sys.executable, "-m", "monitor", "--db", str(db), "history", "acme/terms", "--json"],
                             capture_output=True, text=True, env=env, timeout=60).stdout
    assert '"created_at": "2026-01-05T09:00:00Z"' in as_json


@pytest.fixture
def two_installs(tmp_path, page_server, write_watchlist, run_cli):
    """Two databases that watched the same page and saw the same change."""
    from tests.e2e.test_cli_reading import AI_CLAUSE, BASE, html

    write_watchlist(f"services:\n  acme:\n    documents:\n      terms:\n        url: {page_server.url('/a')}\n")
    dbs = [tmp_path / "one.db", tmp_path / "two.db"]
    for db in dbs:
        page_server.set("/a", html(BASE))
        assert run_cli("--db", str(db), "check").exit_code == 0
        page_server.set("/a", html(BASE + [AI_CLAUSE]))
        assert run_cli("--db", str(db), "check").exit_code == 0
    return run_cli, dbs


def test_atom_ids_unique_per_install_and_self_link_from_base_url(two_installs):
    run, dbs = two_installs
    feeds = [ET.fromstring(run("--db", str(db), "export", "--format", "atom").stdout_bytes) for db in dbs]
    ids = [{f.findtext(f"{ATOM}id")} | {e.findtext(f"{ATOM}id") for e in f.findall(f"{ATOM}entry")} for f in feeds]
    assert all(i.startswith("urn:uuid:") for i in ids[0] | ids[1])
    assert not ids[0] & ids[1]                  # the same change id 1 in two installs: different entry ids
    again = ET.fromstring(run("--db", str(dbs[0]), "export", "--format", "atom").stdout_bytes)
    assert {again.findtext(f"{ATOM}id")} | {e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")} == ids[0]
    assert not [link for link in feeds[0].findall(f"{ATOM}link") if link.get("rel") == "self"]
    published = ET.fromstring(run("--db", str(dbs[0]), "export", "--format", "atom", "--base-url",
                                  "https://example.org/tosmon/changes.atom").stdout_bytes)
    [self_link] = [link for link in published.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link.get("href") == "https://example.org/tosmon/changes.atom"
