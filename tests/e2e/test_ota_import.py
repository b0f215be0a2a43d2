"""Declarations in Open Terms Archive's format -> `tosmon import-ota --write` -> `tosmon check` against a
loopback page server -> the stored versions hold the declared parts only (CSS, ranges, combine, remove)."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.store import Store

PRIVACY = """<html><body>
<div class="cookie-wall">We use cookies. <button>OK</button></div>
<header><nav>Home | Jobs | Help</nav></header>
<div id="app"><aside class="promo">Try Premium free for a month!</aside>
<h1 id="title">Privacy Policy</h1>
<p class="lead">Effective {date}.</p>
<h2 id="collect">1. Data we collect</h2>
<p>We collect the data you give us.</p>
<div class="share">Share this page</div>
<h2 id="use">2. How we use it</h2>
<p>{use}</p>
<h2 id="faq">Frequently asked questions</h2>
<p>Is LinkedIn free? {faq}</p>
</div>
<footer>(c) Example Corp</footer></body></html>"""

TERMS_1 = """<html><body><nav>Menu</nav><article><h1>Terms of Service</h1><p>Be kind to others.</p>
<div class="share">Share</div></article><aside>Related: our blog</aside></body></html>"""
TERMS_2 = """<html><body><nav>Menu</nav><article><h2>AI features</h2><p>{ai}</p></article>
<section>Newsletter sign-up</section></body></html>"""


def declaration(base: str) -> dict[str, object]:
    return {
        "name": "Loopback Social",
        "terms": {
            "Privacy Policy": {
                "fetch": f"{base}/privacy?utm_source=ota",
                "select": [{"startBefore": "#title", "endBefore": "#faq"}],
                "remove": [".share", {"startAfter": ".lead", "endBefore": "#collect"}],
                "filter": ["removeQueryParams", "removeDatesFromFAQ"],
            },
            "Terms of Service": {
                "combine": [{"fetch": f"{base}/terms/1"}, {"fetch": f"{base}/terms/2"}],
                "select": "article",
                "remove": [".share"],
            },
        },
    }


def serve(page_server, *, date: str = "1 May 2025", use: str = "We use it to run the service.",
          faq: str = "Yes.", ai: str = "Summaries are generated on request.") -> None:
    page_server.set("/privacy?utm_source=ota", PRIVACY.format(date=date, use=use, faq=faq), etag=False)
    page_server.set("/terms/1", TERMS_1, etag=False)
    page_server.set("/terms/2", TERMS_2.format(ai=ai), etag=False)


def outcomes(result) -> list[str]:
    """`tosmon check` lines as "doc-id outcome", whatever the column padding."""
    return sorted(" ".join(line.split()) for line in result.stdout.splitlines())


def text_of(db_path: Path, doc_id: str) -> list[str]:
    store = Store(db_path, create=False)
    try:
        latest = store.latest_version(doc_id)
        assert latest is not None
        return store.version_text(doc_id, latest.number).split("\n")
    finally:
        store.close()


def test_imported_declarations_extract_the_declared_parts_only(tmp_path, page_server, run_cli, db_path):
    decl = tmp_path / "declarations" / "Loopback Social.json"
    decl.parent.mkdir()
    decl.write_text(json.dumps(declaration(page_server.base), indent=2), encoding="utf-8")
    (tmp_path / "watchlist.yaml").write_text("# mine\nservices: {}\n", encoding="utf-8")

    imported = run_cli("import-ota", str(decl), "--write")
    assert imported.exit_code == 0, imported.output
    assert 'loopback-social/privacy-policy: filter "removeDatesFromFAQ" is not supported' in imported.stderr
    assert (tmp_path / "watchlist.yaml").read_text(encoding="utf-8").startswith("# mine\n")
    assert run_cli("validate").exit_code == 0

    serve(page_server)
    first = run_cli("check")
    assert first.exit_code == 0, first.output
    assert outcomes(first) == ["loopback-social/privacy-policy new", "loopback-social/terms-of-service new"]
    assert text_of(db_path, "loopback-social/privacy-policy") == [
        "# Privacy Policy", "Effective 1 May 2025.",                       # the promo range was removed
        "## 1. Data we collect", "We collect the data you give us.",      # .share removed
        "## 2. How we use it", "We use it to run the service."]           # the range ends before the FAQ
    assert text_of(db_path, "loopback-social/terms-of-service") == [
        "# Terms of Service", "Be kind to others.", "## AI features", "Summaries are generated on request."]

    serve(page_server, faq="Yes, and it always will be.")                  # outside the range: no change
    assert outcomes(run_cli("check")) == ["loopback-social/privacy-policy unchanged",
                                          "loopback-social/terms-of-service unchanged"]

    serve(page_server, use="We use it to run the service and to train our generative AI models.",
          ai="We may use your posts to train AI models.")
    changed = run_cli("check")
    assert [line.split(" (")[0] for line in outcomes(changed)] == ["loopback-social/privacy-policy changed",
                                                                    "loopback-social/terms-of-service changed"]
    history = json.loads(run_cli("history", "loopback-social/privacy-policy", "--json").stdout)
    assert [v["clauses"] for v in history] == [6, 6]
    flagged = json.loads(run_cli("log", "--flagged", "--json").stdout)
    assert {c["document"] for c in flagged} == {"loopback-social/privacy-policy", "loopback-social/terms-of-service"}


def test_a_range_that_no_longer_matches_is_an_error_not_an_empty_version(tmp_path, page_server, run_cli, db_path):
    decl = tmp_path / "Loopback Social.json"
    decl.write_text(json.dumps(declaration(page_server.base)), encoding="utf-8")
    assert run_cli("import-ota", str(decl), "--write").exit_code == 0
    serve(page_server)
    assert run_cli("check", "loopback-social/privacy-policy").exit_code == 0

    page_server.set("/privacy?utm_source=ota", PRIVACY.replace('id="faq"', 'id="questions"').format(
        date="1 May 2025", use="We use it to run the service.", faq="Yes."), etag=False)
    failed = run_cli("check", "loopback-social/privacy-policy")
    assert failed.exit_code == 1
    assert 'selector "#faq" matched nothing (end of range {startBefore #title .. endBefore #faq})' in failed.stdout
    history = json.loads(run_cli("history", "loopback-social/privacy-policy", "--json").stdout)
    assert len(history) == 1
