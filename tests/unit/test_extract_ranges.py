"""Range selectors ({startBefore|startAfter, endBefore|endAfter}, as in Open Terms Archive) in extract_clauses."""

from __future__ import annotations

import json

import pytest

from monitor.errors import ExtractError
from monitor.extract import extract_clauses
from monitor.models import Document, RangeSelector
from monitor.pipeline import extractor_fingerprint

PAGE = """<html><body><header><nav>Home</nav></header><main>
<h1>Privacy Policy</h1>
<p>Intro paragraph.</p>
<h2 id="data">How we use data</h2>
<p>We use your data to run the service.</p>
<ul><li>Security.</li><li id="train">Training our AI models.</li><li>Support.</li></ul>
<h2 id="share">Sharing</h2>
<p>We share data with processors.</p>
<div id="mixed">Loose <b>bold</b> text<p id="inner">Inner paragraph.</p> and a tail.</div>
<h2 id="contact">Contact</h2>
<p>Write to us.</p>
</main><footer>(c) Example</footer></body></html>"""


def R(**kwargs: str) -> RangeSelector:
    return RangeSelector(**kwargs)


CASES = [
    pytest.param([R(start_before="#data", end_before="#share")], None,
                 ["## How we use data", "We use your data to run the service.", "- Security.",
                  "- Training our AI models.", "- Support."], id="before..before: heading in, next heading out"),
    pytest.param([R(start_after="#data", end_after="#train")], None,
                 ["We use your data to run the service.", "- Security.", "- Training our AI models."],
                 id="after..after: cuts through the list, keeps the items inside"),
    pytest.param([R(start_after="#share", end_before="#inner")], None,
                 ["We share data with processors.", "Loose bold text"],
                 id="end inside a container: its leading loose text is kept, inline markup joined"),
    pytest.param(["h1", R(start_before="#contact", end_after="#contact")], None,
                 ["# Privacy Policy", "## Contact"], id="CSS and range together, in selector order"),
    pytest.param(None, [R(start_before="#data", end_before="#contact")],
                 ["# Privacy Policy", "Intro paragraph.", "## Contact", "Write to us."],
                 id="remove a range"),
    pytest.param([R(start_before="#data", end_before="#contact")], [R(start_before="#train", end_after="#share")],
                 ["## How we use data", "We use your data to run the service.", "- Security.",
                  "We share data with processors.", "Loose bold text", "Inner paragraph.", "and a tail."],
                 id="remove is applied before select"),
    pytest.param([R(start_before="#data", end_before="#share")], ["ul"],
                 ["## How we use data", "We use your data to run the service."], id="CSS remove inside a range"),
]


@pytest.mark.parametrize(("select", "remove", "expected"), CASES)
def test_range(select, remove, expected) -> None:
    assert extract_clauses(PAGE, select=select or (), remove=remove or ()) == expected


@pytest.mark.parametrize(("where", "selector", "message"), [
    ("select", R(start_before="#nope", end_before="#share"),
     'x/terms: selector "#nope" matched nothing (start of range {startBefore #nope .. endBefore #share})'),
    ("select", R(start_before="#data", end_after="h6"),
     'x/terms: selector "h6" matched nothing (end of range {startBefore #data .. endAfter h6})'),
    ("remove", R(start_after="#gone", end_before="#share"),
     'x/terms: selector "#gone" matched nothing (start of range {startAfter #gone .. endBefore #share})'),
    ("select", R(start_before="#contact", end_before="#data"),
     "x/terms: range {startBefore #contact .. endBefore #data} ends before it starts"),
], ids=["start matches nothing", "end matches nothing", "in remove too", "end before start"])
def test_range_errors(where: str, selector: RangeSelector, message: str) -> None:
    with pytest.raises(ExtractError) as info:
        extract_clauses(PAGE, source="x/terms", **{where: [selector]})
    assert str(info.value) == message


def test_first_match_of_each_selector_is_used() -> None:
    html = ("<main><h2 class=s>A</h2><p>a</p><h2 class=e>B</h2><p>b</p>"
            "<h2 class=s>C</h2><p>c</p><h2 class=e>D</h2></main>")
    assert extract_clauses(html, select=[R(start_after=".s", end_before=".e")]) == ["a"]


def test_empty_range_extracts_nothing() -> None:
    with pytest.raises(ExtractError, match="no text extracted"):
        extract_clauses(PAGE, select=[R(start_before="#data", end_before="#data")])


def test_extraction_config_serialises_ranges_so_a_change_rebaselines() -> None:
    def doc(selector: RangeSelector) -> Document:
        return Document(id="x/t", service="x", service_name="X", name="t", urls=("https://x.test/t",),
                        select=("main", selector))

    one, other = doc(R(start_before="#a", end_before="#b")), doc(R(start_before="#a", end_after="#b"))
    assert one.extraction_config()["select"] == ["main", {"startBefore": "#a", "endBefore": "#b"}]
    json.dumps(one.extraction_config())
    assert extractor_fingerprint(one) != extractor_fingerprint(other)
    assert extractor_fingerprint(one) == extractor_fingerprint(doc(R(start_before="#a", end_before="#b")))


def test_ranges_on_a_large_page() -> None:
    body = "".join(f"<h2 id=s{i}>Section {i}</h2><p>Paragraph {i} with <a href='#'>a link</a>.</p>"
                   for i in range(3000))
    html = f"<html><body><main>{body}</main></body></html>"
    assert len(html) > 200_000
    clauses = extract_clauses(html, select=[R(start_before="#s10", end_before="#s2990")],
                              remove=[R(start_before="#s100", end_before="#s200")])
    assert clauses[0] == "## Section 10" and clauses[-1] == "Paragraph 2989 with a link."
    assert "## Section 150" not in clauses and len(clauses) == 2 * (2980 - 100)
