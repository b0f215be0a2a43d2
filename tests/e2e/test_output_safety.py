"""Stored page text is data, never control: escape sequences and control characters in clauses never reach
a terminal (piped or not), the Atom feed stays well-formed XML, and CSV cells are never formulas."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from monitor.diff import diff_clauses
from monitor.models import Category, ClauseKind, DateRole, Document, Flag, FlagDate
from monitor.sanitize import csv_cell, printable, xml_text
from monitor.store import Store

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# Clear screen, retitle the window (OSC ... BEL), hide text (ESC[8m), an 8-bit CSI, a bare CR, NUL and DEL.
HOSTILE = ("\x1b[2J\x1b]0;pwned\x07We train \x1b[8mAI models\x1b[0m on your posts\x9b31m from 2027-03-01."
           "\r\x00\x7f You can object by =HYPERLINK(\"http://evil\") in Settings.")
FORMULA = "=cmd|' /C calc'!A0"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_db(db_path, write_watchlist):
    write_watchlist("services:\n  evil:\n    documents:\n      terms:\n        url: http://127.0.0.1:9/t\n")
    store = Store(db_path)
    doc = Document(id="evil/terms", service="evil", service_name="Evil", name="terms", urls=("http://127.0.0.1:9/t",))
    store.sync_documents([doc], now=NOW)
    old = ["# Terms", "Plain \x1b[31mred\x1b[0m words stay."]
    new = ["# Terms", "Plain \x1b[31mred\x1b[0m words stay here.", HOSTILE, FORMULA]
    flag = Flag(category=Category.AI_TRAINING, score=0.9, clause=HOSTILE, language="en\x1b[5m",
                clause_kind=ClauseKind.ADDED, dates=(FlagDate(text="2027-03-01\x1b]8;;x\x07", date=datetime(2027, 3, 1).date(),
                                                                role=DateRole.EFFECTIVE),),
                opt_out="Settings\x1b[2K > AI")
    # A clause that is a formula, and an opt-out hint that is a phone number (a spreadsheet reads both).
    formula = Flag(category=Category.AI_OPT_OUT, score=0.8, clause=FORMULA, language="en",
                   clause_kind=ClauseKind.ADDED, opt_out="+33 1 23 45 67 89")
    with store.atomic():
        v1 = store.add_version(doc.id, text="\n".join(old), created_at=NOW, extractor="1")
        v2 = store.add_version(doc.id, text="\n".join(new), created_at=NOW + timedelta(days=1), extractor="1")
        store.add_change(doc.id, from_version=v1, to_version=v2, detected_at=NOW + timedelta(days=1),
                         diff=diff_clauses(old, new), flags=[flag, formula])
    store.close()


def test_no_control_character_reaches_the_output(hostile_db, run_cli):
    for args in (["show", "1"], ["show", "1", "--side-by-side"], ["show", "1", "--context", "-1"], ["flags"],
                 ["log"], ["search", "train"], ["search", "red"], ["text", "evil/terms"],
                 ["text", "evil/terms", "--version", "1"], ["diff", "evil/terms", "1", "2"],
                 ["diff", "evil/terms", "1", "2", "--side-by-side"], ["history", "evil/terms"], ["status"]):
        result = run_cli(*args)
        assert result.exit_code == 0, (args, result.output)
        out = result.stdout
        assert not CONTROL.search(out.replace("\t", "")), (args, repr(out))
        assert "pwned" not in out and "8m" not in out, args
    shown = run_cli("show", "1").stdout
    assert "We train AI models on your posts from 2027-03-01." in shown


def test_colour_on_a_terminal_is_ours_only(hostile_db, db_path):
    from monitor.render import search_line, show_change

    store = Store(db_path, create=False)
    change = store.get_change(1)
    texts = [show_change(change, now=NOW, color=True), show_change(change, now=NOW, color=True, side=True),
             *(search_line(hit, ["train"], color=True) for hit in store.search("train"))]
    store.close()
    for text in texts:
        leftover = re.sub(r"\x1b\[[0-9;]*m", "", text)  # our colours: SGR only
        assert not CONTROL.search(leftover), repr(text)
        assert "pwned" not in text and "\x1b[8m" not in text


def test_json_keeps_the_stored_text_exactly(hostile_db, run_cli):
    change = json.loads(run_cli("show", "1", "--json").stdout)
    assert change["flags"][0]["clause"] == HOSTILE     # JSON escapes it; the data is not altered


def test_atom_with_control_characters_is_well_formed(hostile_db, run_cli):
    result = run_cli("export", "--format", "atom")
    assert result.exit_code == 0, result.output
    feed = ET.fromstring(result.stdout_bytes)
    assert "We train" in ET.tostring(feed, encoding="unicode")


def test_csv_cells_are_never_formulas(hostile_db, run_cli):
    rows = list(csv.reader(io.StringIO(run_cli("export", "--format", "csv").stdout)))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'" + FORMULA in cells and "'+33 1 23 45 67 89" in cells     # kept, shown as text
    assert any(c.startswith("\x1b[2J") and "=HYPERLINK" in c for c in cells)  # a formula inside text is text


def test_sanitize_units():
    assert printable("a\x1b[2Jb\x1b]0;t\x07c\x1b]8;;u\x1b\\d\x9b1me\tf\ng\rh\x9d0;x\x07i") == "abcde\tf\nghi"
    assert printable("plain ünïcode ✓") == "plain ünïcode ✓"
    assert xml_text("a\x00b\x0bc\ud800d\ufffe") == "abcd"
    assert [csv_cell(v) for v in ("=1+1", "+33 1", "-x", "@SUM(A1)", "ok", -3, 2.5)] == \
        ["'=1+1", "'+33 1", "'-x", "'@SUM(A1)", "ok", -3, 2.5]
