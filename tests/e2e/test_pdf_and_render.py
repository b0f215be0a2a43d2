"""Documents that are PDFs, or that only JavaScript fills, go through `tosmon check` like any page."""

from __future__ import annotations

import json

import pytest
from fpdf import FPDF

from monitor.fetch.browser import browser_available


def pdf(paragraphs: list[str]) -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=11)
    for text in paragraphs:
        doc.multi_cell(0, 6, text)
        doc.ln(4)
    return bytes(doc.output())


TERMS = [f"Section {i}. These terms govern your use of the service and the information you share with us, "
         f"as described in part {i}." for i in range(1, 8)]


def test_pdf_document_change_is_detected(page_server, write_watchlist, run_cli):
    page_server.set("/terms.pdf", pdf(TERMS), content_type="application/pdf")
    write_watchlist(f"services:\n  acme:\n    documents:\n      terms:\n        url: {page_server.url('/terms.pdf')}\n")
    assert run_cli("check").stdout.split() == ["acme/terms", "new"]
    changed = TERMS[:3] + ["Section 4. These terms govern your use of the service and the information you share with "
                           "us, which from June 1, 2027 we also use to train our AI models."] + TERMS[4:]
    page_server.set("/terms.pdf", pdf(changed), content_type="application/pdf")
    result = run_cli("check")
    assert result.stdout.strip() == "acme/terms  changed (+0 -0 ~1)", result.output
    [change] = json.loads(run_cli("log", "--json").stdout)
    assert change["flags"] and change["flags"][0]["category"] == "ai_training"


SCRIPTED = """<html><head><title>Terms</title></head><body><main id="app"></main><script>
setTimeout(function () {
  document.getElementById('app').innerHTML = '<h1>Terms of Service</h1>' +
    '<p>These terms are written by a script, as on many sites that need a browser to read them.</p>' +
    '<p>%s</p>';
}, 150);
</script></body></html>"""


@pytest.mark.skipif(not browser_available(), reason="headless Chromium and playwright are not installed")
def test_render_true_reads_text_written_by_javascript(page_server, write_watchlist, run_cli):
    page_server.set("/app", SCRIPTED % "Version one of the rules.")
    write_watchlist(f"services:\n  spa:\n    documents:\n      terms:\n        url: {page_server.url('/app')}\n"
                    "        render: true\n        timeout: 20s\n")
    assert run_cli("check").stdout.split() == ["spa/terms", "new"]
    page_server.set("/app", SCRIPTED % "Version two of the rules.")
    assert run_cli("check").stdout.strip() == "spa/terms  changed (+0 -0 ~1)"
    change = json.loads(run_cli("log", "--json").stdout)[0]
    shown = json.loads(run_cli("show", str(change["id"]), "--json").stdout)
    assert shown["clauses"][0]["new"] == "Version two of the rules."
