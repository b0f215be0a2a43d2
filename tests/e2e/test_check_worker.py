"""`tosmon check --extract-worker` over more documents than POOL_MIN_DOCUMENTS extracts in a worker process:
against a real page server and real databases, it stores exactly the versions (and reports exactly the
lines) that an in-process run does, and leaves no process behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fpdf import FPDF

from monitor import workers
from monitor.store import Store

PAGE = """<html><body><nav>Home</nav><main><h1>Terms {i}</h1>
<p>We may use the content you submit{extra} to improve our services.</p>
<ul><li>Clause {i}.1: caf\u00e9\u00a0r\u00e8gles</li><li>Clause {i}.2 <b>bold</b></li></ul>
<table><tr><th>Data</th><td>Kept {i} days</td></tr></table>
<div class="cookie-banner">Accept cookies</div></main><footer>\u00a9 ACME</footer></body></html>"""


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def _serve(page_server, count: int, *, extra: str = "") -> None:
    for i in range(count):
        page_server.set(f"/doc/{i}", PAGE.format(i=i, extra=extra if i % 3 == 0 else ""))
    page_server.set("/empty", "<html><body><script>app()</script></body></html>")
    page_server.set("/terms.pdf", _pdf(f"Terms of service.{extra} We may train models on your content."),
                    content_type="application/pdf")


def _watchlist(page_server, count: int) -> str:
    lines = ["services:"]
    for i in range(count):
        lines += [f"  s{i}:", f"    name: S{i}", "    documents:", "      terms:",
                  f"        url: {page_server.url(f'/doc/{i}')}"]
        if i % 4 == 1:
            lines += ["        select: [main]", "        remove: [table]"]
    for name, path in (("empty", "/empty"), ("pdf", "/terms.pdf"), ("gone", "/missing")):
        lines += [f"  {name}:", f"    name: {name}", "    documents:", "      terms:",
                  f"        url: {page_server.url(path)}"]
    return "\n".join(lines) + "\n"


def _versions(db: Path) -> dict[tuple[str, int], str]:
    store = Store(str(db))
    try:
        return {(state.id, version.number): store.version_text(state.id, version.number)
                for state in store.document_states(include_inactive=False)
                for version in store.versions(state.id)}
    finally:
        store.close()


def test_check_in_a_worker_stores_what_in_process_stores(page_server, write_watchlist, run_cli, tmp_path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    count = workers.POOL_MIN_DOCUMENTS + 4
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    started: list[int] = []
    start = workers.ExtractionWorker._start

    def recording_start(self: workers.ExtractionWorker):  # type: ignore[no-untyped-def]
        proc = start(self)
        started.append(proc.pid)
        return proc

    monkeypatch.setattr(workers.ExtractionWorker, "_start", recording_start)
    _serve(page_server, count)
    write_watchlist(_watchlist(page_server, count))
    pooled, alone = tmp_path / "pooled.db", tmp_path / "alone.db"

    outputs = {}
    for cycle, extra in enumerate(("", " and the prompts you write")):
        _serve(page_server, count, extra=extra)
        result = run_cli("check", "--extract-worker", env={"TOSMON_DB": str(pooled)})
        assert result.exit_code == 1                    # the empty page and the 404 fail, in both runs
        reference = run_cli("check", env={"TOSMON_DB": str(alone)})
        assert reference.exit_code == 1
        outputs[cycle] = sorted(result.stdout.splitlines())
        assert outputs[cycle] == sorted(reference.stdout.splitlines())

    assert len(started) == 2                            # one worker per pooled run, none for the others
    for pid in started:
        assert not os.path.exists(f"/proc/{pid}")       # exited and reaped when check ended
    assert sum("new" in line for line in outputs[0]) == count + 1
    assert any("changed (+0 -0 ~1)" in line for line in outputs[1])
    assert any(line.startswith("empty/terms") and "no text extracted" in line for line in outputs[0])
    versions = _versions(pooled)
    assert versions == _versions(alone)
    assert len(versions) == (count + 1) + (count + 2) // 3 + 1   # cycle 1 + the pages changed in cycle 2
