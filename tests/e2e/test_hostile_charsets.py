"""Text is data, input side (issue 13, finding 5/7): random bytes, mostly undecodable text and ASCII bytes
declared as UTF-16, UTF-32, EBCDIC or UTF-7 never become a first version; genuine pages in those charsets
(with their byte-order mark, or real Latin-1) still do."""

from __future__ import annotations

import codecs
import random
import sqlite3

import pytest

from monitor.guards import decoding_reason

TERMS = ("<html><head><title>Terms</title></head><body><main><h1>Terms of Service</h1>" + "".join(
    f"<p>Clause {i}: you agree that we + our partners may process your data under section {i}.</p>"
    for i in range(30)) + "</main></body></html>")


def random_bytes() -> bytes:
    rng = random.Random(13)
    return bytes(rng.randrange(256) for _ in range(20_000))


@pytest.mark.parametrize("body, content_type, reason", [
    (random_bytes(), "text/html", "binary"),
    (random_bytes(), "text/html; charset=utf-8", "undecodable"),
    (TERMS.encode(), "text/html; charset=utf-16", "not ASCII-compatible"),
    (TERMS.encode(), "text/html; charset=utf-32", "not ASCII-compatible"),
    (TERMS.encode(), "text/html; charset=ibm037", "not ASCII-compatible"),
    (TERMS.encode(), "text/html; charset=utf-7", "not ASCII-compatible"),
], ids=["random", "random-utf8", "utf16", "utf32", "ebcdic", "utf7"])
def test_bytes_that_are_not_the_pages_text_never_become_a_version(body, content_type, reason, page_server,
                                                                   write_watchlist, run_cli, db_path):
    page_server.set("/t", body, content_type=content_type)
    write_watchlist(f"services:\n  acme:\n    documents:\n      terms:\n        url: {page_server.url('/t')}\n")
    result = run_cli("check")
    # ASCII read as UTF-32 leaves no letter for the extractor: that page fails as "no text extracted" first
    assert ("suspect" in result.output and reason in result.output) or (
        "utf-32" in content_type and "no text extracted" in result.output), result.output
    assert result.exit_code == 1
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
    conn.close()


@pytest.mark.parametrize("body, content_type", [
    (codecs.BOM_UTF16_LE + TERMS.encode("utf-16-le"), "text/html; charset=utf-16"),
    (TERMS.replace("Clause", "Clausé").encode("latin-1"), "text/html; charset=iso-8859-1"),
    (TERMS.encode(), "text/html; charset=utf-8"),
], ids=["utf16-bom", "latin1", "utf8"])
def test_genuine_pages_in_those_charsets_still_do(body, content_type, page_server, write_watchlist, run_cli,
                                                  db_path):
    page_server.set("/t", body, content_type=content_type)
    write_watchlist(f"services:\n  acme:\n    documents:\n      terms:\n        url: {page_server.url('/t')}\n")
    assert "new" in run_cli("check").output
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    conn.close()


def test_decoding_reason_thresholds():
    assert decoding_reason(b"", "", None) is None
    text = "Clause one." * 50
    assert decoding_reason(text.encode(), text, "utf-8") is None
    few = ("Cl\ufffdause one. " * 5) + ("Clause one. " * 100)        # a few bad bytes: the soft guard's case
    assert decoding_reason(few.encode(), few, "utf-8") is None
    assert "undecodable" in (decoding_reason(b"\xff" * 10, "\ufffd" * 10, "utf-8") or "")
