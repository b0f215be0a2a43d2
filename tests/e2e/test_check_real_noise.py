"""`tosmon check` on the noise of real pages, against a real page server and database: an A/B variant that
flip-flops, a relative date, a NUL byte that comes and goes."""

from __future__ import annotations

import json
import sqlite3

from monitor.store import Store

PAGE = """<html><body><main><h1>Terms of Service</h1>
<p class="updated">Updated: {age} days ago</p>
<p>You may not use the service to break the law.</p>
<p>{variant}</p>
<p>We may end your account if you break these terms.</p>
<p>Contact{nul} us at legal@example.com with any question about these terms.</p>
</main></body></html>"""
A = "Our service is provided as is, without warranty of any kind."
B = "The service is provided as is and without any warranty."


def page(variant: str = A, age: int = 3, nul: str = "") -> str:
    return PAGE.format(variant=variant, age=age, nul=nul)


def counts(db: str) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT count(*) FROM versions").fetchone()[0],
                conn.execute("SELECT count(*) FROM changes").fetchone()[0])


def setup(page_server, write_watchlist) -> None:
    write_watchlist(f"services:\n  example:\n    name: Example\n    documents:\n"
                    f"      terms:\n        url: {page_server.url('/terms')}\n")


def check(run_cli) -> str:
    result = run_cli("check")
    return " ".join(result.stdout.split()[1:])


def test_a_b_variants_flip_flopping_make_one_change_then_a_revert_only_when_it_sticks(
        page_server, write_watchlist, run_cli, db_path):
    setup(page_server, write_watchlist)
    page_server.set("/terms", page(A), etag=False)
    assert check(run_cli) == "new"
    page_server.set("/terms", page(B), etag=False)
    assert check(run_cli).startswith("changed (+0 -0 ~1")         # B is news
    for _ in range(3):                                             # A, B, A, B...: nothing new
        page_server.set("/terms", page(A), etag=False)
        assert check(run_cli) == "unchanged"
        page_server.set("/terms", page(B), etag=False)
        assert check(run_cli) == "unchanged"
    assert counts(str(db_path)) == (2, 1)
    page_server.set("/terms", page(A), etag=False)                 # A sticks: seen on two checks in a row
    assert check(run_cli) == "unchanged"
    assert check(run_cli) == "changed (+0 -0 ~1, back to version 1)"
    assert counts(str(db_path)) == (3, 2)
    shown = json.loads(run_cli("log", "--json").stdout)
    assert len(shown) == 2


def test_relative_date_is_not_a_change(page_server, write_watchlist, run_cli, db_path):
    setup(page_server, write_watchlist)
    page_server.set("/terms", page(age=3), etag=False)
    assert check(run_cli) == "new"
    for age in (4, 5, 12):
        page_server.set("/terms", page(age=age), etag=False)
        assert check(run_cli) == "unchanged"
    store = Store(str(db_path))
    text = store.version_text("example/terms", 1)
    store.close()
    assert "Updated:" in text and "days ago" not in text


def test_a_nul_byte_is_neither_an_error_nor_a_change(page_server, write_watchlist, run_cli, db_path):
    setup(page_server, write_watchlist)
    page_server.set("/terms", page(), etag=False)
    assert check(run_cli) == "new"
    page_server.set("/terms", page(nul="\x00"), etag=False)
    assert check(run_cli) == "unchanged"
    page_server.set("/terms", page(), etag=False)
    assert check(run_cli) == "unchanged"
    assert counts(str(db_path)) == (1, 0)


def test_a_clause_split_in_two_with_the_same_words_is_formatting(page_server, write_watchlist, run_cli, db_path):
    setup(page_server, write_watchlist)
    page_server.set("/terms", page(), etag=False)
    assert check(run_cli) == "new"
    split = page().replace("<p>You may not use the service to break the law.</p>\n<p>",
                           "<p>You may not use the service to break the law. ")
    page_server.set("/terms", split, etag=False)
    assert check(run_cli) == "unchanged"
    assert counts(str(db_path)) == (2, 0)          # the new clause split is the baseline, with no change
    page_server.set("/terms", split.replace("break the law", "break any law"), etag=False)
    assert check(run_cli).startswith("changed (+0 -0 ~1")


def test_an_extractor_upgrade_re_reads_a_plain_text_page_as_plain_text(page_server, write_watchlist, run_cli,
                                                                        db_path, monkeypatch):
    """A new extractor re-baselines from the stored snapshot, read by its kind (here text/plain): the next
    check of the same page is no change."""
    from monitor import pipeline

    text = "TERMS\n\nYou must be 13 or older.\nAccounts of younger users are closed.\n\nWe may change these terms.\n"
    page_server.set("/terms", text, content_type="text/plain; charset=utf-8", etag=False)
    setup(page_server, write_watchlist)
    assert check(run_cli) == "new"
    monkeypatch.setattr(pipeline, "EXTRACTOR_VERSION", pipeline.EXTRACTOR_VERSION + 1)
    assert check(run_cli) == "unchanged"
    assert check(run_cli) == "unchanged"
    with sqlite3.connect(str(db_path)) as conn:
        assert conn.execute("SELECT count(*), sum(technical) FROM versions").fetchone() == (2, 1)
        assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0
